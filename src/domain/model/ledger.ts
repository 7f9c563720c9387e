import type { JsonObject } from "./json.js";

/** What a caller supplies to record one action in the audit ledger. */
export interface LedgerEntryInput {
  readonly actor: string;
  /** Environment the action concerns; `null` for global actions (init, key export, ...). */
  readonly env: string | null;
  /** Dotted action name, e.g. `gate.run`, `rollback.step`, `lock.broken`. */
  readonly kind: string;
  /** What the action was about: a version, a gate name, a snapshot id, ... */
  readonly subject: string;
  readonly data: JsonObject;
  /** sha256 of an evidence document stored content-addressed beside the ledger. */
  readonly evidenceHash?: string;
}

/** One link of the hash chain: `hash = sha256(prevHash || canonicalJson(body))`. */
export interface LedgerEntry extends LedgerEntryInput {
  readonly seq: number;
  /** ISO-8601 UTC timestamp. */
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** A signed statement "the chain up to `seq` ends in `hash`". */
export interface LedgerCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** sha256 fingerprint of the public key that signed, hex. */
  readonly keyId: string;
  /** Ed25519 signature over canonicalJson({seq, hash, at, keyId}), base64. */
  readonly signature: string;
}

import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import type { LedgerEntry } from "../model/ledger.js";

/** The `prevHash` of the first entry: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/** The fields an entry's hash covers: everything except `hash` itself. */
export type LedgerEntryBody = Omit<LedgerEntry, "hash">;

/**
 * `sha256(prevHash || canonicalJson({seq, at, actor, env, kind, subject, data, evidenceHash,
 * prevHash}))`, hex. `evidenceHash` is left out of the JSON when absent.
 */
export function ledgerEntryHash(body: LedgerEntryBody): string {
  const covered = {
    seq: body.seq,
    at: body.at,
    actor: body.actor,
    env: body.env,
    kind: body.kind,
    subject: body.subject,
    data: body.data,
    evidenceHash: body.evidenceHash,
    prevHash: body.prevHash,
  };
  return createHash("sha256").update(body.prevHash).update(canonicalJson(covered)).digest("hex");
}

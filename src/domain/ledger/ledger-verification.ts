/** Why a ledger failed verification; `firstBadSeq` names where. */
export type LedgerFailureReason =
  /** An entry's stored hash is not the hash of its contents. */
  | "hash-mismatch"
  /** An entry's `prevHash` is not the previous entry's hash. */
  | "broken-link"
  /** A seq is absent from the chain (an entry was deleted). */
  | "missing-entry"
  /** A seq appears again or goes backwards. */
  | "out-of-order"
  /** Entries after the newest signed checkpoint: nothing vouches for them. */
  | "unsealed"
  /** A checkpoint's signature does not verify (or its key is unknown). */
  | "bad-checkpoint-signature"
  /** A checkpoint's hash is not the chain's hash at its seq. */
  | "checkpoint-mismatch"
  /** A checkpoint covers seqs the ledger no longer has (entries deleted from the end). */
  | "truncated"
  /** An entry references an evidence document that does not exist. */
  | "missing-evidence"
  /** An entry references an evidence document whose content no longer matches its hash. */
  | "corrupt-evidence";

export type LedgerVerification =
  | {
      readonly ok: true;
      /** Number of entries verified. */
      readonly entries: number;
      /** Number of signed checkpoints verified. */
      readonly checkpoints: number;
      /** 0 for an empty ledger. */
      readonly lastSeq: number;
      /** GENESIS_HASH for an empty ledger. */
      readonly lastHash: string;
    }
  | {
      readonly ok: false;
      readonly firstBadSeq: number;
      readonly reason: LedgerFailureReason;
      readonly message: string;
    };

export type LedgerFailure = Extract<LedgerVerification, { ok: false }>;

/** Checks a base64 signature over `message` by the key `keyId`; false for an unknown key. */
export type VerifySignature = (message: string, signature: string, keyId: string) => boolean;

import { canonicalJson } from "../canonical-json.js";
import type { LedgerCheckpoint } from "../model/ledger.js";

/** The exact text a checkpoint signature covers: `canonicalJson({seq, hash, at, keyId})`. */
export function checkpointMessage(
  checkpoint: Pick<LedgerCheckpoint, "seq" | "hash" | "at" | "keyId">,
): string {
  return canonicalJson({
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    at: checkpoint.at,
    keyId: checkpoint.keyId,
  });
}

import { canonicalJson } from "../../domain/canonical-json.js";
import type { LedgerStore } from "../../ports/ledger.js";

/**
 * The ledger as JSON lines (no trailing newline on each string), for shipping elsewhere:
 *
 *   {"type":"entry", ...every LedgerEntry field}        one per entry, in seq order, then
 *   {"type":"checkpoint", ...every LedgerCheckpoint field}   one per checkpoint, in seq order.
 *
 * Each line is canonical JSON (sorted keys), so the hash of an entry can be recomputed from its
 * line by dropping `type` and `hash`. Checkpoints are read before the entries are streamed, so
 * every exported checkpoint covers an exported entry even while other processes append.
 */
export async function* exportLedger(ledger: LedgerStore): AsyncIterable<string> {
  const checkpoints = await ledger.checkpoints();
  for await (const entry of ledger.entries()) yield canonicalJson({ type: "entry", ...entry });
  for (const checkpoint of checkpoints) {
    yield canonicalJson({ type: "checkpoint", ...checkpoint });
  }
}

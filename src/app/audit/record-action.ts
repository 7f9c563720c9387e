import { nextLedgerEntry } from "../../domain/ledger/next-ledger-entry.js";
import type { JsonValue } from "../../domain/model/json.js";
import type { LedgerEntry, LedgerEntryInput } from "../../domain/model/ledger.js";
import type { Clock } from "../../ports/clock.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { LedgerStore } from "../../ports/ledger.js";

export interface RecordActionDeps {
  readonly ledger: LedgerStore;
  readonly evidence: EvidenceStore;
  readonly clock: Clock;
}

/**
 * Appends one action to the ledger. An evidence document is stored first, so an entry never
 * references evidence that does not exist; its hash becomes the entry's `evidenceHash`.
 */
export async function recordAction(
  deps: RecordActionDeps,
  input: LedgerEntryInput & { evidence?: JsonValue },
): Promise<LedgerEntry> {
  const { evidence, evidenceHash: givenHash, ...rest } = input;
  const evidenceHash = evidence === undefined ? givenHash : await deps.evidence.put(evidence);
  const entryInput: LedgerEntryInput = {
    ...rest,
    ...(evidenceHash === undefined ? {} : { evidenceHash }),
  };
  const at = deps.clock.now().toISOString();
  return deps.ledger.append((last) => nextLedgerEntry(last, entryInput, at));
}

import type { LedgerEntry, LedgerEntryInput } from "../model/ledger.js";
import { GENESIS_HASH, ledgerEntryHash } from "./ledger-hash.js";

/** The entry that follows `last` (seq 1 after genesis), linked to it and hashed. */
export function nextLedgerEntry(
  last: LedgerEntry | undefined,
  input: LedgerEntryInput,
  at: string,
): LedgerEntry {
  const body = {
    seq: last === undefined ? 1 : last.seq + 1,
    at,
    actor: input.actor,
    env: input.env,
    kind: input.kind,
    subject: input.subject,
    data: input.data,
    ...(input.evidenceHash === undefined ? {} : { evidenceHash: input.evidenceHash }),
    prevHash: last === undefined ? GENESIS_HASH : last.hash,
  };
  return { ...body, hash: ledgerEntryHash(body) };
}

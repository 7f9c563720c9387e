import { join } from "node:path";
import { openFsEvidenceStore } from "../adapters/evidence/fs/fs-evidence-store.js";
import { createJsonlFileLogger } from "../adapters/logging/jsonl-file/jsonl-file-logger.js";
import { openEd25519Signer } from "../adapters/signer/ed25519/ed25519-signer.js";
import { openSqliteStore } from "../adapters/store/sqlite/sqlite-store.js";
import { recordAction } from "../app/audit/record-action.js";
import { sealLedger } from "../app/audit/seal-ledger.js";
import type { JsonValue } from "../domain/model/json.js";
import type { LedgerCheckpoint, LedgerEntry, LedgerEntryInput } from "../domain/model/ledger.js";
import { type Clock, systemClock } from "../ports/clock.js";
import type { EvidenceStore } from "../ports/evidence-store.js";
import type { Logger } from "../ports/logger.js";
import type { Signer } from "../ports/signer.js";
import type { Store } from "../ports/store.js";

export interface Redactor {
  redactText(text: string): string;
  redactJson<T>(value: T): T;
}

/** The adapter set of the embedded default, wired once. */
export interface Services {
  readonly stateDir: string;
  readonly store: Store;
  readonly evidence: EvidenceStore;
  readonly signer: Signer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Appends a ledger entry (and its evidence document), redacted before it is hashed. */
  record(input: LedgerEntryInput & { evidence?: JsonValue }): Promise<LedgerEntry>;
  /** Writes the signed checkpoint that ends a mutating command. */
  seal(): Promise<LedgerCheckpoint | undefined>;
  close(): Promise<void>;
}

/** The composition root: the only place that names concrete adapters. */
export async function openServices(
  stateDir: string,
  redactor: Redactor,
  context: { command: string },
): Promise<Services> {
  const store = await openSqliteStore(stateDir);
  const evidence = await openFsEvidenceStore(stateDir);
  const signer = await openEd25519Signer(stateDir);
  const clock = systemClock;
  const logger = createJsonlFileLogger(join(stateDir, "logs", "shipsafe.log"), redactor, {
    pid: process.pid,
    command: context.command,
  });
  return {
    stateDir,
    store,
    evidence,
    signer,
    clock,
    logger,
    record: (input) =>
      recordAction({ ledger: store.ledger, evidence, clock }, redactor.redactJson(input)),
    seal: () => sealLedger({ ledger: store.ledger, signer, clock }),
    close: () => store.close(),
  };
}

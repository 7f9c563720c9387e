import { checkpointMessage } from "../../domain/ledger/checkpoint-message.js";
import type { LedgerCheckpoint } from "../../domain/model/ledger.js";
import type { Clock } from "../../ports/clock.js";
import type { LedgerStore } from "../../ports/ledger.js";
import type { Signer } from "../../ports/signer.js";

export interface SealLedgerDeps {
  readonly ledger: LedgerStore;
  readonly signer: Signer;
  readonly clock: Clock;
}

/**
 * Signs a checkpoint for the current last entry. Returns undefined (and writes nothing) when the
 * ledger is empty or the newest checkpoint already covers the last entry.
 */
export async function sealLedger(deps: SealLedgerDeps): Promise<LedgerCheckpoint | undefined> {
  const [last, checkpoints] = await Promise.all([deps.ledger.last(), deps.ledger.checkpoints()]);
  const sealedUpTo = checkpoints.reduce((max, cp) => Math.max(max, cp.seq), 0);
  if (!last || sealedUpTo >= last.seq) return undefined;
  const at = deps.clock.now().toISOString();
  return deps.ledger.addCheckpoint((current) => {
    const unsigned = { seq: current.seq, hash: current.hash, at, keyId: deps.signer.keyId };
    return { ...unsigned, signature: deps.signer.sign(checkpointMessage(unsigned)) };
  });
}

import { isShipsafeError } from "../../domain/errors.js";
import type { LedgerVerification } from "../../domain/ledger/ledger-verification.js";
import { LedgerVerifier } from "../../domain/ledger/ledger-verifier.js";
import type { LedgerEntry } from "../../domain/model/ledger.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { LedgerStore } from "../../ports/ledger.js";
import type { Signer } from "../../ports/signer.js";

export interface VerifyLedgerDeps {
  readonly ledger: LedgerStore;
  readonly signer: Pick<Signer, "verify">;
  /** When given, every referenced evidence document must exist and match its hash. */
  readonly evidence?: EvidenceStore;
}

/**
 * Streams the whole ledger through the verifier (hash chain, links, signed checkpoints, sealing)
 * and, optionally, the evidence it references. Stops at, and names, the first bad seq.
 */
export async function verifyLedger(deps: VerifyLedgerDeps): Promise<LedgerVerification> {
  const checkpoints = await deps.ledger.checkpoints();
  const verifier = new LedgerVerifier(checkpoints, (message, signature, keyId) =>
    deps.signer.verify(message, signature, keyId),
  );
  for await (const entry of deps.ledger.entries()) {
    if (!verifier.push(entry)) break;
    if (deps.evidence && !(await evidenceIntact(verifier, deps.evidence, entry))) break;
  }
  return verifier.finish();
}

async function evidenceIntact(
  verifier: LedgerVerifier,
  evidence: EvidenceStore,
  entry: LedgerEntry,
): Promise<boolean> {
  const hash = entry.evidenceHash;
  if (hash === undefined) return true;
  try {
    if ((await evidence.get(hash)) !== undefined) return true;
    return verifier.reject(
      entry.seq,
      "missing-evidence",
      `entry ${entry.seq} references evidence ${hash}, which does not exist`,
    );
  } catch (error) {
    if (!isShipsafeError(error) || error.code !== "EVIDENCE_CORRUPT") throw error;
    return verifier.reject(
      entry.seq,
      "corrupt-evidence",
      `entry ${entry.seq} references evidence ${hash}, which was altered: ${error.message}`,
    );
  }
}

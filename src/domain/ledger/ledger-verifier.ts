import type { LedgerCheckpoint, LedgerEntry } from "../model/ledger.js";
import { checkpointMessage } from "./checkpoint-message.js";
import { GENESIS_HASH, ledgerEntryHash } from "./ledger-hash.js";
import type {
  LedgerFailure,
  LedgerFailureReason,
  LedgerVerification,
  VerifySignature,
} from "./ledger-verification.js";

/**
 * A streaming fold over the ledger: feed it every entry in seq order with `push`, then call
 * `finish`. It keeps O(checkpoints) memory, stops at the first problem and names its seq.
 *
 * Order of checks for the entry expected at seq `n`: seq continuity (missing-entry /
 * out-of-order), recomputed hash (hash-mismatch), link to the previous hash (broken-link), the
 * checkpoints at `n` (bad-checkpoint-signature, checkpoint-mismatch), then whether any checkpoint
 * covers `n` at all (unsealed). At the end, checkpoints beyond the last entry mean truncation.
 */
export class LedgerVerifier {
  private readonly checkpoints: readonly LedgerCheckpoint[];
  private readonly sealedUpTo: number;
  private nextCheckpoint = 0;
  private verifiedCheckpoints = 0;
  private expectedSeq = 1;
  private lastHash = GENESIS_HASH;
  private failure: LedgerFailure | undefined;

  constructor(
    checkpoints: readonly LedgerCheckpoint[],
    private readonly verifySignature: VerifySignature,
  ) {
    this.checkpoints = [...checkpoints].sort((a, b) => a.seq - b.seq);
    this.sealedUpTo = this.checkpoints.at(-1)?.seq ?? 0;
  }

  /** Checks the next entry; false once the ledger has failed (stop feeding it). */
  push(entry: LedgerEntry): boolean {
    if (this.failure) return false;
    const n = this.expectedSeq;
    if (entry.seq !== n) {
      return entry.seq > n
        ? this.reject(n, "missing-entry", `entry ${n} is missing: the next entry is ${entry.seq}`)
        : this.reject(n, "out-of-order", `expected entry ${n}, found entry ${entry.seq}`);
    }
    const { hash, ...body } = entry;
    if (ledgerEntryHash(body) !== hash) {
      return this.reject(n, "hash-mismatch", `entry ${n}'s content does not match its hash`);
    }
    if (entry.prevHash !== this.lastHash) {
      return this.reject(n, "broken-link", `entry ${n} does not link to entry ${n - 1}'s hash`);
    }
    this.lastHash = hash;
    this.expectedSeq = n + 1;
    if (!this.checkCheckpointsUpTo(n, hash)) return false;
    if (n > this.sealedUpTo) {
      const since =
        this.sealedUpTo === 0
          ? "no checkpoint exists"
          : `the newest checkpoint is at seq ${this.sealedUpTo}`;
      return this.reject(
        n,
        "unsealed",
        `entry ${n} is not covered by a signed checkpoint (${since})`,
      );
    }
    return true;
  }

  /** Records a failure found outside the chain (e.g. evidence); the first failure wins. */
  reject(seq: number, reason: LedgerFailureReason, message: string): false {
    this.fail(seq, reason, message);
    return false;
  }

  /** The verdict for everything pushed so far. */
  finish(): LedgerVerification {
    if (this.failure) return this.failure;
    const lastSeq = this.expectedSeq - 1;
    for (const cp of this.checkpoints.slice(this.nextCheckpoint)) {
      if (!this.signatureValid(cp)) return this.badSignature(cp);
    }
    if (this.sealedUpTo > lastSeq) {
      return this.fail(
        lastSeq + 1,
        "truncated",
        `a signed checkpoint covers seq ${this.sealedUpTo} but the ledger ends at seq ${lastSeq}`,
      );
    }
    return {
      ok: true,
      entries: lastSeq,
      checkpoints: this.verifiedCheckpoints,
      lastSeq,
      lastHash: this.lastHash,
    };
  }

  private checkCheckpointsUpTo(seq: number, hash: string): boolean {
    for (; this.nextCheckpoint < this.checkpoints.length; this.nextCheckpoint++) {
      const cp = this.checkpoints[this.nextCheckpoint] as LedgerCheckpoint;
      if (cp.seq > seq) break;
      if (!this.signatureValid(cp)) {
        this.badSignature(cp);
        return false;
      }
      if (cp.seq !== seq || cp.hash !== hash) {
        return this.reject(
          cp.seq,
          "checkpoint-mismatch",
          `the checkpoint at seq ${cp.seq} signs a hash the chain does not have there`,
        );
      }
      this.verifiedCheckpoints++;
    }
    return true;
  }

  private fail(seq: number, reason: LedgerFailureReason, message: string): LedgerFailure {
    this.failure ??= { ok: false, firstBadSeq: seq, reason, message };
    return this.failure;
  }

  private signatureValid(cp: LedgerCheckpoint): boolean {
    return this.verifySignature(checkpointMessage(cp), cp.signature, cp.keyId);
  }

  private badSignature(cp: LedgerCheckpoint): LedgerFailure {
    return this.fail(
      cp.seq,
      "bad-checkpoint-signature",
      `the checkpoint at seq ${cp.seq} has a signature that does not verify with key ${cp.keyId}`,
    );
  }
}

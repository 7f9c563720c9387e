import { formatDuration } from "../duration.js";
import type { CheckOutcome } from "./check-outcome.js";

export interface BackupFacts {
  readonly hasAssets: boolean;
  /** The newest snapshot of the environment, if any. */
  readonly newest: { readonly id: string; readonly createdAt: string } | undefined;
  readonly now: Date;
  /** Its verification, when the check asked for one. */
  readonly verification?: { readonly ok: boolean; readonly problems: readonly string[] };
}

/** The newest snapshot must be younger than `maxAgeMs` (and intact, when verified). */
export function evaluateBackupAge(maxAgeMs: number, facts: BackupFacts): CheckOutcome {
  if (!facts.hasAssets) {
    return { status: "pass", diagnostics: ["no state assets configured: nothing to back up"] };
  }
  if (!facts.newest) {
    return {
      status: "warn",
      diagnostics: [
        "no snapshot yet: take one with `shipsafe snapshot create` (`release prepare` takes one before a deploy)",
      ],
    };
  }
  const { id, createdAt } = facts.newest;
  const age = Math.max(0, facts.now.getTime() - Date.parse(createdAt));
  const details = { snapshotId: id, createdAt, ageMs: age, maxAgeMs };
  if (age > maxAgeMs) {
    return {
      status: "fail",
      diagnostics: [
        `newest snapshot ${id} is ${formatDuration(age)} old (limit ${formatDuration(maxAgeMs)})`,
        "take one: shipsafe snapshot create",
      ],
      details,
    };
  }
  if (facts.verification && !facts.verification.ok) {
    return {
      status: "fail",
      diagnostics: [
        `newest snapshot ${id} is recent but damaged: ${facts.verification.problems.slice(0, 5).join("; ")}`,
        "take a new one (shipsafe snapshot create) and find out what damaged the store",
      ],
      details,
    };
  }
  const verified = facts.verification ? ", verified intact" : "";
  return {
    status: "pass",
    diagnostics: [`newest snapshot ${id} is ${formatDuration(age)} old${verified}`],
    details,
  };
}

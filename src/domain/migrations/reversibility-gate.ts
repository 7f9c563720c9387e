import type { MigrationWaiver, Reversibility } from "./migration.js";

/** One migration's outcome at the gate. */
export interface ReversibilityDecision {
  readonly migrationId: string;
  readonly status: "pass" | "waived" | "fail";
  /** What the gate says about it: the round trip's reason, and the waiver when one applies. */
  readonly diagnostic: string;
  readonly waiver?: MigrationWaiver;
}

export interface ReversibilityGate {
  readonly passed: boolean;
  readonly decisions: readonly ReversibilityDecision[];
}

/**
 * The gate over round-trip results: a reversible migration passes; a non-reversible one fails
 * unless a waiver names its id, in which case it passes with a diagnostic naming who, why and when.
 */
export function reversibilityGate(
  results: readonly Reversibility[],
  waivers: readonly MigrationWaiver[],
): ReversibilityGate {
  const decisions = results.map((result): ReversibilityDecision => {
    if (result.status === "reversible") {
      return { migrationId: result.migrationId, status: "pass", diagnostic: result.reason };
    }
    const waiver = waivers.find((w) => w.migration === result.migrationId);
    if (!waiver) {
      return {
        migrationId: result.migrationId,
        status: "fail",
        diagnostic: `${result.migrationId} is non-reversible: ${result.reason}`,
      };
    }
    return {
      migrationId: result.migrationId,
      status: "waived",
      diagnostic: `${result.migrationId} is non-reversible (${result.reason}); waived by ${waiver.by} on ${waiver.at}: ${waiver.reason}`,
      waiver,
    };
  });
  return { passed: decisions.every((d) => d.status !== "fail"), decisions };
}

import type { CheckOutcome } from "../../domain/gate/check-outcome.js";
import type { MigrationWaiver } from "../../domain/migrations/migration.js";
import { reversibilityGate } from "../../domain/migrations/reversibility-gate.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { EnvironmentPorts } from "../environment.js";
import { migrationRelease } from "./migration-release.js";
import { migrationStateOutcome } from "./migration-state-outcome.js";
import { migrationStatus } from "./migration-status.js";

export interface MigrationGateOptions {
  /** Also run up → down → up of the release's pending migrations on a scratch copy. */
  readonly reversible: boolean;
  readonly waivers: readonly MigrationWaiver[];
}

/**
 * The `migrations` gate check: the database is at the head of the running release (nothing
 * pending, nothing unknown applied); the release being gated ships every applied migration (its
 * pending ones are what its deploy applies); with `reversible`, each pending migration's down
 * restores the schema on a scratch copy, or a waiver names it.
 */
export async function migrationGateOutcome(
  ports: Pick<EnvironmentPorts, "env" | "target" | "migrations" | "migrationAnalysis">,
  version: string | undefined,
  options: MigrationGateOptions,
): Promise<CheckOutcome> {
  const current = await ports.target.current();
  const outcomes: CheckOutcome[] = [];
  if (current !== undefined) {
    outcomes.push(migrationStateOutcome(await migrationStatus(ports, current)));
  }
  let pending: readonly string[] = [];
  if (version !== undefined && version !== current) {
    const report = await migrationStatus(ports, version);
    const { state } = report;
    pending = state.pending;
    const details = { [`release ${version}`]: state } as unknown as JsonObject;
    outcomes.push(
      state.unknownApplied.length > 0
        ? {
            status: "fail",
            diagnostics: [
              `applied but not shipped by release ${version}: ${state.unknownApplied.join(", ")} (it would run on a schema it does not know)`,
              "ship those migrations in the release, or revert them first (shipsafe migrate down)",
            ],
            details,
          }
        : {
            status: "pass",
            diagnostics: [
              pending.length === 0
                ? `release ${version} ships no migration the database lacks`
                : `deploying ${version} applies ${pending.length} migration(s): ${pending.join(", ")}`,
            ],
            details,
          },
    );
  }
  if (options.reversible) outcomes.push(await reversibleOutcome(ports, version, pending, options));
  if (outcomes.length === 0) {
    return {
      status: "inconclusive",
      diagnostics: [
        "no release is running and none was named: nothing to compare the database with",
        "run the gate for a release (shipsafe gate release --release <version>)",
      ],
    };
  }
  return combineOutcomes(outcomes);
}

async function reversibleOutcome(
  ports: Pick<EnvironmentPorts, "env" | "target" | "migrations" | "migrationAnalysis">,
  version: string | undefined,
  pending: readonly string[],
  options: MigrationGateOptions,
): Promise<CheckOutcome> {
  if (pending.length === 0 || version === undefined || !ports.migrationAnalysis) {
    return {
      status: "pass",
      diagnostics: ["no pending migration to check for a working down-migration"],
    };
  }
  const release = await migrationRelease(ports, version);
  const results = await ports.migrationAnalysis.verifyReversible(release.releaseDir, pending);
  const gate = reversibilityGate(results, options.waivers);
  const diagnostics = gate.decisions.map((d) =>
    d.status === "pass" ? `${d.migrationId} reverts cleanly: ${d.diagnostic}` : d.diagnostic,
  );
  if (!gate.passed) {
    diagnostics.push(
      "write a down-migration that restores the schema (check it with shipsafe migrate verify), or add a waiver (who, why, when) under migrations.waivers",
    );
  }
  return {
    status: gate.passed ? "pass" : "fail",
    diagnostics,
    details: { reversibility: gate.decisions } as unknown as JsonObject,
  };
}

/** The worst status of several outcomes, their diagnostics and details together. */
export function combineOutcomes(outcomes: readonly CheckOutcome[]): CheckOutcome {
  const rank = { pass: 0, inconclusive: 1, warn: 2, fail: 3, error: 4 } as const;
  const worst = outcomes.reduce((a, b) => (rank[b.status] > rank[a.status] ? b : a));
  const details = Object.assign({}, ...outcomes.map((o) => o.details ?? {}));
  return {
    status: worst.status,
    diagnostics: outcomes.flatMap((o) => o.diagnostics),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

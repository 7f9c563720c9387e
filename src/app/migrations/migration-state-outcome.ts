import type { CheckOutcome } from "../../domain/gate/check-outcome.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { MigrationStatusReport } from "./migration-status.js";

/**
 * The `migrations` gate check's verdict on the state: pass when the database is at the release's
 * head with nothing applied that the release does not ship; fail naming what is pending or unknown.
 */
export function migrationStateOutcome(report: MigrationStatusReport): CheckOutcome {
  const { state, version } = report;
  const details = { version, ...state } as unknown as JsonObject;
  const problems: string[] = [];
  if (state.pending.length > 0) {
    problems.push(
      `${state.pending.length} migration(s) of release ${version} not applied: ${state.pending.join(", ")}`,
    );
  }
  if (state.unknownApplied.length > 0) {
    problems.push(
      `applied but not shipped by release ${version} (the database is ahead of it): ${state.unknownApplied.join(", ")}`,
    );
  }
  if (problems.length === 0) {
    return {
      status: "pass",
      diagnostics: [
        `database at the head of release ${version}: ${state.head ?? "no migrations"}${state.lastAppliedAt ? ` (last applied ${state.lastAppliedAt})` : ""}`,
      ],
      details,
    };
  }
  const fix =
    state.pending.length > 0
      ? `apply them: shipsafe migrate up --env ${report.env} --release ${version}`
      : `deploy the release that ships them, or revert them: shipsafe migrate down --env ${report.env} --to ${state.applied.filter((m) => !state.unknownApplied.includes(m.id)).at(-1)?.id ?? "<id>"}`;
  return { status: "fail", diagnostics: [...problems, fix], details };
}

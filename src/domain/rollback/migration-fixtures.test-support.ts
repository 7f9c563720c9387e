import type { MigrationVerdict } from "../migrations/migration.js";
import type { MigrationBetween } from "./choose-rollback-type.js";

/** A migration in between as the app layer would hand it to the planner (test data). */
export function migration(
  id: string,
  verdict: MigrationVerdict,
  options: {
    readonly statement?: string;
    readonly reason?: string;
    /** undefined: the round-trip check did not run. */
    readonly reversible?: boolean;
    readonly down?: string | null;
  } = {},
): MigrationBetween {
  const statement = options.statement ?? "SELECT 1";
  return {
    id,
    classification: {
      migrationId: id,
      verdict,
      statements: [{ index: 0, statement, verdict, reason: options.reason ?? verdict }],
      sources: ["static"],
    },
    reversibility:
      options.reversible === undefined
        ? null
        : {
            migrationId: id,
            status: options.reversible ? "reversible" : "non-reversible",
            reason: options.reversible ? "up → down → up restores the schema" : "no down-migration",
          },
    downSql: options.down ?? null,
  };
}

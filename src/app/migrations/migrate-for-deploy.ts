import { isShipsafeError, ShipsafeError } from "../../domain/errors.js";
import type { EnvironmentPorts } from "../environment.js";
import { migrateUp } from "./run-migrations.js";

/**
 * Deploy's migration step: applies the pending migrations `version` ships while the previous
 * release still runs. Returns the head afterwards (undefined: no migrations configured); a
 * failure stops the deploy before the switch with DEPLOY_MIGRATIONS_FAILED.
 */
export async function migrateForDeploy(
  ports: EnvironmentPorts,
  version: string,
  previousVersion: string | null,
  mark: (event: string) => void,
): Promise<string | null | undefined> {
  if (!ports.migrations) return undefined;
  try {
    const outcome = await migrateUp(ports, { version, dryRun: false });
    const ran = outcome.ran?.map((m) => m.id) ?? [];
    mark(
      `migrations: ${ran.length ? `applied ${ran.join(", ")}` : "none pending"}; head ${outcome.head ?? "none"}`,
    );
    return outcome.head;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    mark(`migrations failed: ${reason}`);
    await ports.record({
      kind: "deploy.finished",
      subject: version,
      data: { from: previousVersion, to: version, verdict: "failed", reasons: [reason] },
    });
    throw new ShipsafeError(
      {
        code: "DEPLOY_MIGRATIONS_FAILED",
        kind: "runtime",
        message: `deploy of ${version} stopped before switching releases: ${reason}${previousVersion ? ` (${previousVersion} keeps running)` : ""}`,
        hint: isShipsafeError(error)
          ? error.hint
          : "fix the migration, then run shipsafe deploy again (shipsafe migrate status shows the database)",
      },
      { cause: error },
    );
  }
}

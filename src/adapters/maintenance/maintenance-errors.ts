import { ShipsafeError } from "../../domain/errors.js";
import type { MaintenanceAction } from "../../ports/maintenance.js";

/** MAINTENANCE_FAILED: the switch named, what it answered. */
export function maintenanceFailed(
  action: MaintenanceAction,
  call: string,
  why: string,
  cause?: unknown,
): ShipsafeError {
  return new ShipsafeError(
    {
      code: "MAINTENANCE_FAILED",
      kind: "runtime",
      message: `maintenance ${action} (${call}) failed: ${why}`,
      hint:
        action === "on"
          ? "fix the maintenance switch in the environment's `maintenance` config (or run it by hand), then shipsafe rollback --resume"
          : "writes are still stopped: lift maintenance by hand or fix the switch, then shipsafe rollback --resume",
    },
    cause === undefined ? undefined : { cause },
  );
}

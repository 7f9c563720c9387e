export type MaintenanceAction = "on" | "off";

/**
 * A service's maintenance mode, configured per environment (`maintenance: { kind: command | http }`):
 * on stops writes before a rollback touches anything, off resumes them after health is verified.
 * Both directions must be idempotent: a resumed rollback may switch again. Absent when the
 * environment stops writes by stopping the process (`kind: stop`, the default).
 */
export interface MaintenanceMode {
  readonly kind: "command" | "http";
  /** The call for `action` as the plan shows it: `node bin/maint.js on`, `POST http://lb/…`. */
  describe(action: MaintenanceAction): string;
  /** Switches; resolves with what happened, throws MAINTENANCE_FAILED naming the call and why. */
  set(action: MaintenanceAction): Promise<{ readonly detail: string }>;
}

import type { CheckType } from "../../domain/gate/check-kinds.js";
import type { CheckOutcome } from "../../domain/gate/check-outcome.js";
import type { CheckSpec } from "../../domain/gate/check-spec.js";
import type { MigrationWaiver } from "../../domain/migrations/migration.js";
import type { CheckProbes } from "../../ports/check-probes.js";
import type { EnvironmentPorts } from "../environment.js";

/** What one check may use while it runs. */
export interface CheckContext {
  readonly ports: EnvironmentPorts;
  readonly probes: CheckProbes;
  /** The release version the gate runs for (`--release`, or the version being prepared). */
  readonly version: string | undefined;
  /** The config's waivers for non-reversible migrations (`migrations.waivers`). */
  readonly migrationWaivers: readonly MigrationWaiver[];
  /** Aborts when the check's timeout passes or the operator interrupts the run. */
  readonly signal: AbortSignal;
}

/** The code of one check kind. */
export type CheckImplementation<T extends CheckType> = (
  ctx: CheckContext,
  spec: CheckSpec<T>,
) => Promise<CheckOutcome>;

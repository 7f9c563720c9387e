import type { MetricsConfig } from "../domain/config/types.js";
import type { ObservationSetup } from "../domain/observation/observation-setup.js";
import { durationFlag } from "./option-values.js";

/**
 * The environment's observation setup and the interval to measure at: `--interval` when given,
 * else `metrics.interval` (baseline capture / compare and watch alike). Loaded lazily, so
 * `shipsafe --help` does not load the analysis.
 */
export async function observationFlags(
  metrics: MetricsConfig | undefined,
  interval: string | undefined,
): Promise<{ setup: ObservationSetup; intervalMs: number }> {
  const { observationSetup } = await import("../domain/observation/observation-setup.js");
  const setup = observationSetup(metrics);
  const intervalMs = interval ? durationFlag(interval, "--interval") : setup.intervalMs;
  return { setup, intervalMs };
}

import type { ProbeResult } from "../../ports/health-probe.js";
import type { EnvironmentPorts } from "../environment.js";

export interface HealthWait {
  readonly healthy: boolean;
  readonly attempts: number;
  readonly waitedMs: number;
  /** The last round of probes (why it is not healthy, when it is not). */
  readonly last: readonly ProbeResult[];
}

/**
 * Probes until `successes` consecutive rounds pass or `timeoutMs` runs out. A round with no
 * configured endpoint counts as passing only if the process is running.
 */
export async function waitHealthy(
  ports: Pick<EnvironmentPorts, "health" | "healthPolicy" | "clock" | "sleep" | "target">,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HealthWait> {
  const started = ports.clock.now().getTime();
  let consecutive = 0;
  let attempts = 0;
  let last: ProbeResult[] = [];
  for (;;) {
    attempts += 1;
    last = await ports.health.probe();
    const ok =
      last.length > 0 ? last.every((p) => p.ok) : (await ports.target.status()).running === true;
    consecutive = ok ? consecutive + 1 : 0;
    const waitedMs = ports.clock.now().getTime() - started;
    if (consecutive >= ports.healthPolicy.successes) {
      return { healthy: true, attempts, waitedMs, last };
    }
    if (waitedMs >= timeoutMs || signal?.aborted) {
      return { healthy: false, attempts, waitedMs, last };
    }
    await ports.sleep(Math.min(ports.healthPolicy.intervalMs, Math.max(0, timeoutMs - waitedMs)));
  }
}

/** One line saying why the last probes failed. */
export function describeProbes(probes: readonly ProbeResult[]): string {
  if (probes.length === 0) return "no health endpoint configured";
  return probes
    .map((p) => `${p.name} ${p.ok ? "ok" : `failed (${p.error ?? `status ${p.status}`})`}`)
    .join(", ");
}

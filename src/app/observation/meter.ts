import type { MetricDefinition } from "../../domain/observation/metric-definition.js";
import type { IntervalMeasurement } from "../../domain/observation/metric-series.js";
import type { MetricsCursor } from "../../ports/metrics-source.js";
import type { EnvironmentPorts } from "../environment.js";

export type MeterPorts = Pick<EnvironmentPorts, "metrics" | "health" | "clock">;

/** Measures one interval at a time: the source's metrics plus `ready` from the health probe. */
export interface Meter {
  next(): Promise<IntervalMeasurement>;
}

/**
 * Opens a meter. A source that cannot be read (the service restarting, a Prometheus hiccup) gives
 * an interval without values — inconclusive, never a failure; readiness covers an outage. The
 * cursor is (re)opened lazily, so a source that was down at the start is picked up later.
 */
export async function openMeter(
  ports: MeterPorts,
  definitions: readonly MetricDefinition[],
): Promise<Meter> {
  const fromSource = definitions.filter((d) => d.kind !== "ready");
  const readyDefs = definitions.filter((d) => d.kind === "ready");
  let cursor: MetricsCursor | undefined;
  const open = async (): Promise<void> => {
    if (!ports.metrics || fromSource.length === 0 || cursor) return;
    try {
      cursor = await ports.metrics.start(fromSource);
    } catch {
      cursor = undefined;
    }
  };
  await open();
  let from = ports.clock.now().getTime();
  return {
    async next() {
      const values: Record<string, { value: number | null; traffic: number | null }> = {};
      if (readyDefs.length > 0) {
        const probes = await ports.health.probe();
        const ready = probes.filter((p) => p.name === "ready");
        const up = ready.length === 0 || ready.every((p) => p.ok) ? 1 : 0;
        for (const d of readyDefs) values[d.name] = { value: up, traffic: null };
      }
      let measured: IntervalMeasurement | undefined;
      if (cursor) {
        try {
          measured = await cursor.next();
        } catch {
          measured = undefined;
        }
      } else {
        await open();
      }
      const to = ports.clock.now().getTime();
      for (const d of fromSource) {
        values[d.name] = measured?.values[d.name] ?? { value: null, traffic: null };
      }
      const interval: IntervalMeasurement = {
        from: measured?.from ?? from,
        to: measured?.to ?? to,
        values,
        counterReset: measured?.counterReset ?? false,
      };
      from = to;
      return interval;
    },
  };
}

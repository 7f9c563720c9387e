import { gateCheck } from "../config/gate-schema.js";
import type { EnvironmentConfig, GateCheckConfig } from "../config/schema.js";

/** What the built-in gates adapt to. */
export type GateEnvironment = Pick<
  EnvironmentConfig,
  "state" | "migrations" | "health" | "metrics"
>;

const check = (input: Record<string, unknown>): GateCheckConfig => gateCheck.parse(input);

/** Tools the environment's configuration needs on the host (node runs shipsafe itself). */
function hostTools(env: GateEnvironment): Record<string, unknown>[] {
  const tools: Record<string, unknown>[] = [{ name: "node", minVersion: "20.15" }];
  if (env.state.some((asset) => asset.kind === "postgres")) {
    for (const name of ["psql", "pg_dump", "pg_restore"]) tools.push({ name });
  }
  return tools;
}

/**
 * The checks of a built-in gate for this environment, or undefined when `gate` is not built in.
 * `release` is what `release prepare` always ran; the others follow the runbooks' rollback,
 * restore and host checklists.
 */
export function builtInGate(gate: string, env: GateEnvironment): GateCheckConfig[] | undefined {
  const migrations = env.migrations ? [check({ type: "migrations" })] : [];
  switch (gate) {
    case "release":
      return [
        check({ type: "artifact" }),
        check({ type: "health", name: "current-health" }),
        check({ type: "backup-age", maxAge: "24h" }),
        // A release's new migrations must come with a down that restores the schema, or a waiver.
        ...(env.migrations ? [check({ type: "migrations", reversible: true })] : []),
      ];
    case "rollback":
      return [
        check({ type: "previous-release" }),
        check({ type: "artifact", name: "previous-artifact", version: "previous" }),
        check({ type: "snapshot-verify", snapshot: "previous-release", mode: "full" }),
        check({ type: "disk-space", factor: 1.5 }),
      ];
    case "restore":
      return [
        check({ type: "backup-age", maxAge: "24h" }),
        check({ type: "snapshot-verify", snapshot: "newest", mode: "full" }),
        // The restore takes a safety snapshot first and then writes the restored copy.
        check({ type: "disk-space", factor: 2 }),
      ];
    case "host":
      return [
        check({ type: "tools", tools: hostTools(env) }),
        check({ type: "disk-space", factor: 1.5 }),
        ...migrations,
        check({ type: "endpoints" }),
      ];
    default:
      return undefined;
  }
}

/** The URLs an `endpoints` check without `urls` probes: health live/ready and metrics. */
export function defaultEndpoints(env: GateEnvironment): string[] {
  const urls = [env.health.live, env.health.ready, env.metrics?.url];
  return [...new Set(urls.filter((url): url is string => url !== undefined))];
}

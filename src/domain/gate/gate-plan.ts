import type { EnvironmentConfig } from "../config/schema.js";
import { formatDuration } from "../duration.js";
import { CHECK_KINDS } from "./check-kinds.js";
import { type CheckSpec, resolveCheck } from "./check-spec.js";
import { builtInGate, defaultEndpoints } from "./default-gates.js";
import { gateErrors } from "./gate-errors.js";
import { BUILT_IN_GATES } from "./gate-names.js";
import type { SkippedCheck } from "./gate-run.js";

/** What a gate run will do: a value, printed by tests and recorded as evidence. */
export interface GatePlan {
  readonly gate: string;
  /** Where the checks came from: the environment's `gates.<name>`, or the built-in default. */
  readonly source: "config" | "built-in";
  readonly checks: readonly CheckSpec[];
  readonly skipped: readonly SkippedCheck[];
}

export interface PlanOptions {
  /** Check names the operator leaves out (`--skip`). Unknown names are an error. */
  readonly skip?: readonly string[];
  /** Leave out every check that needs the running service (`host verify --skip-endpoints`). */
  readonly skipService?: boolean;
}

export type PlanEnvironment = Pick<
  EnvironmentConfig,
  "state" | "migrations" | "health" | "metrics" | "gates"
>;

/**
 * The checks of gate `gate` for environment `envName`: the config's `gates.<gate>` when present,
 * else the built-in gate of that name; then `--skip` applied. Throws GATE_UNKNOWN or
 * GATE_SKIP_UNKNOWN (usage errors) naming what is known.
 */
export function planGate(
  gate: string,
  envName: string,
  env: PlanEnvironment,
  options: PlanOptions = {},
): GatePlan {
  const configured = env.gates?.[gate]?.checks;
  const configs = configured ?? builtInGate(gate, env);
  if (configs === undefined) {
    const known = [...new Set([...Object.keys(env.gates ?? {}), ...BUILT_IN_GATES])];
    throw gateErrors.unknownGate(gate, envName, known);
  }
  const all = configs.map(resolveCheck).map((spec) => withDefaultEndpoints(spec, env));
  const names = all.map((spec) => spec.name);
  const skip = new Set(options.skip ?? []);
  const unknown = [...skip].filter((name) => !names.includes(name));
  if (unknown.length > 0) throw gateErrors.unknownSkip(gate, unknown, names);

  const skipped: SkippedCheck[] = [];
  const checks: CheckSpec[] = [];
  for (const spec of all) {
    if (skip.has(spec.name)) skipped.push({ name: spec.name, reason: "--skip" });
    else if (options.skipService && CHECK_KINDS[spec.type].needsService)
      skipped.push({ name: spec.name, reason: "--skip-endpoints: the service may not run yet" });
    else checks.push(spec);
  }
  return { gate, source: configured ? "config" : "built-in", checks, skipped };
}

function withDefaultEndpoints(spec: CheckSpec, env: PlanEnvironment): CheckSpec {
  if (spec.type !== "endpoints" || spec.urls !== undefined) return spec;
  return { ...spec, urls: defaultEndpoints(env) };
}

/** The plan with every `backup-age` limit replaced (`release prepare --max-backup-age`). */
export function withMaxBackupAge(plan: GatePlan, maxAgeMs: number): GatePlan {
  const maxAge = formatDuration(maxAgeMs);
  return {
    ...plan,
    checks: plan.checks.map((spec) => (spec.type === "backup-age" ? { ...spec, maxAge } : spec)),
  };
}

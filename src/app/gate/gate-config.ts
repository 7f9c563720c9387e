import { createHash } from "node:crypto";
import { canonicalJson } from "../../domain/canonical-json.js";
import { redactConfig } from "../../domain/config/redact-config.js";
import type { EnvironmentConfig, LoadedConfig } from "../../domain/config/types.js";
import { type GatePlan, type PlanOptions, planGate } from "../../domain/gate/gate-plan.js";
import type { MigrationWaiver } from "../../domain/migrations/migration.js";

/** A gate's plan from the loaded config, with what its evidence records about that config. */
export interface ConfiguredGate {
  readonly plan: GatePlan;
  /** sha256 of the resolved config with every secret masked (reproducible with `config show`). */
  readonly configHash: string;
  /** `migrations.waivers` of the environment (the `migrations` check's `reversible` option). */
  readonly migrationWaivers: readonly MigrationWaiver[];
}

/** Plans gate `gate` of environment `envName` (GATE_UNKNOWN / GATE_SKIP_UNKNOWN when it cannot). */
export function configuredGate(
  loaded: LoadedConfig,
  envName: string,
  gate: string,
  options: PlanOptions = {},
): ConfiguredGate {
  const env = loaded.config.environments[envName] as EnvironmentConfig;
  return {
    plan: planGate(gate, envName, env, options),
    configHash: configHashOf(loaded),
    migrationWaivers: env.migrations?.waivers ?? [],
  };
}

/** The config's fingerprint for evidence: never a hash over a secret value. */
export function configHashOf(loaded: LoadedConfig): string {
  return createHash("sha256")
    .update(canonicalJson(redactConfig(loaded)), "utf8")
    .digest("hex");
}

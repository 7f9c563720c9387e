import type { ShipsafeConfig } from "./schema.js";

export type {
  EnvironmentConfig,
  GateConfig,
  HealthConfig,
  MetricsConfig,
  MigrationsConfig,
  PolicyConfig,
  ShipsafeConfig,
  StateAssetConfig,
  TargetConfig,
} from "./schema.js";

/** A validated config together with what must never leave the process unmasked. */
export interface LoadedConfig {
  /** The file name used in messages, as the user named it. */
  readonly file: string;
  readonly config: ShipsafeConfig;
  /** Formatted paths of secret values, e.g. `environments.production.state[0].url`. */
  readonly secretPaths: string[];
  /** Every secret value (and every env-file value): feed these to `createRedactor`. */
  readonly secretValues: string[];
}

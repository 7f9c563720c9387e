export type { ConfigVars } from "./interpolate.js";
export { configJsonSchema } from "./json-schema.js";
export { loadConfigText } from "./load-config-text.js";
export type { ProjectFacts } from "./project-facts.js";
export { redactConfig, redactorForConfig } from "./redact-config.js";
export { renderInitConfig } from "./render-init-config.js";
export { selectEnvironment } from "./select-environment.js";
export type {
  EnvironmentConfig,
  GateConfig,
  HealthConfig,
  LoadedConfig,
  MetricsConfig,
  MigrationsConfig,
  PolicyConfig,
  ShipsafeConfig,
  StateAssetConfig,
  TargetConfig,
} from "./types.js";

import { ShipsafeError } from "../errors.js";
import type { EnvironmentConfig, ShipsafeConfig } from "./schema.js";
import { closest } from "./suggest.js";

/**
 * Picks the environment a command acts on. Without `--env` the only environment is used; with
 * several, guessing could act on production by accident, so the name is required.
 */
export function selectEnvironment(
  config: ShipsafeConfig,
  name: string | undefined,
): { name: string; env: EnvironmentConfig } {
  const names = Object.keys(config.environments);
  const listed = names.map((known) => `"${known}"`).join(", ");
  if (name === undefined) {
    const only = names[0];
    const env = only === undefined ? undefined : config.environments[only];
    if (names.length === 1 && only !== undefined && env !== undefined) return { name: only, env };
    throw new ShipsafeError({
      code: "CONFIG_ENV_REQUIRED",
      kind: "usage",
      message: `the config defines ${names.length} environments (${listed}); choose one`,
      hint: `pass --env <name>, e.g. --env ${names[0] ?? "production"}`,
    });
  }
  const env = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (env === undefined) {
    const suggestion = closest(name, names);
    throw new ShipsafeError({
      code: "ENV_UNKNOWN",
      kind: "usage",
      message: `unknown environment "${name}"; the config defines ${listed}`,
      hint:
        suggestion !== undefined
          ? `did you mean --env ${suggestion}?`
          : `use one of ${listed}, or add environments.${name} to the config`,
    });
  }
  return { name, env };
}

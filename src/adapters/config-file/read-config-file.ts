import type { ConfigVars } from "../../domain/config/interpolate.js";
import type { LoadedConfig } from "../../domain/config/types.js";
import { loadConfigFile } from "./load-config-file.js";
import { readEnvFile } from "./read-env-file.js";

/** Reads the env file (when given) and the config file, and validates the config. */
export async function readConfigFile(
  path: string,
  envFilePath: string | undefined,
  processEnv: ConfigVars["processEnv"],
): Promise<LoadedConfig> {
  const envFile = envFilePath === undefined ? {} : await readEnvFile(envFilePath);
  return loadConfigFile(path, envFile, processEnv);
}

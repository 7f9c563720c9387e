import type { ConfigVars } from "../../domain/config/interpolate.js";
import { loadConfigText } from "../../domain/config/load-config-text.js";
import type { LoadedConfig } from "../../domain/config/types.js";
import { readTextFile } from "./read-text-file.js";

/** Reads and validates the config file with already-read env-file values. */
export async function loadConfigFile(
  path: string,
  envFile: Readonly<Record<string, string>>,
  processEnv: ConfigVars["processEnv"],
  /** How errors name the file (e.g. relative to the working directory); default `path`. */
  displayAs: string = path,
): Promise<LoadedConfig> {
  const text = await readTextFile(path, {
    missing: {
      code: "CONFIG_NOT_FOUND",
      message: `config file ${displayAs} does not exist`,
      hint: 'run "shipsafe init" to write one, or pass --config <file>',
    },
    unreadable: {
      code: "CONFIG_UNREADABLE",
      message: `cannot read config file ${displayAs}`,
      hint: "check the file's permissions",
    },
  });
  return { ...loadConfigText(text, displayAs, { processEnv, envFile }), file: path };
}

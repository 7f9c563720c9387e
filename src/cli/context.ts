import { existsSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { selectEnvironment } from "../domain/config/select-environment.js";
import type { EnvironmentConfig, LoadedConfig } from "../domain/config/types.js";
import { ShipsafeError } from "../domain/errors.js";
import { createRedactor } from "../domain/redaction.js";
import type { LockHolder } from "../ports/env-lock.js";
import type { GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";

/**
 * What a command's action gets: the global options, output, and lazily loaded config and
 * services. Loading order matters for secrets: the env file is read and its values registered with
 * the redactor before anything that could echo them (config errors included).
 */
export class CommandContext {
  private loaded: LoadedConfig | undefined;
  private envFileValues: Record<string, string> | undefined;
  readonly abort = new AbortController();

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
    readonly out: Output,
    readonly commandLine: string,
  ) {}

  get configPath(): string {
    return resolve(this.io.cwd, this.globals.config);
  }

  /** The config path as errors show it: relative when it is under the working directory. */
  get displayPath(): string {
    const rel = relative(this.io.cwd, this.configPath);
    return rel.startsWith("..") || isAbsolute(rel) ? this.configPath : rel;
  }

  /** `--state-dir`, else `.shipsafe/` beside the config file. */
  get stateDir(): string {
    if (this.globals.stateDir) return resolve(this.io.cwd, this.globals.stateDir);
    return join(dirname(this.configPath), ".shipsafe");
  }

  /** Who is acting: SHIPSAFE_ACTOR, the config's `actor`, else user@host. */
  actor(): string {
    const fromEnv = this.io.env.SHIPSAFE_ACTOR;
    if (fromEnv) return fromEnv;
    if (this.loaded?.config.actor) return this.loaded.config.actor;
    return `${userInfo().username}@${hostname()}`;
  }

  lockHolder(): LockHolder {
    return {
      pid: process.pid,
      host: hostname(),
      actor: this.actor(),
      command: this.out.redact.redactText(this.commandLine),
      acquiredAt: new Date().toISOString(),
    };
  }

  /** Reads `--env-file` (dotenv format) and registers every value as a secret. */
  async envFile(): Promise<Record<string, string>> {
    if (this.envFileValues) return this.envFileValues;
    const path = this.globals.envFile;
    if (!path) {
      this.envFileValues = {};
      return this.envFileValues;
    }
    const { readEnvFile } = await import("../adapters/config-file/read-env-file.js");
    this.envFileValues = await readEnvFile(resolve(this.io.cwd, path));
    this.out.useRedactor(createRedactor(Object.values(this.envFileValues)));
    return this.envFileValues;
  }

  /** The validated config, with every secret registered with the redactor. */
  async config(): Promise<LoadedConfig> {
    if (this.loaded) return this.loaded;
    const envFile = await this.envFile();
    const { loadConfigFile } = await import("../adapters/config-file/load-config-file.js");
    const loaded = await loadConfigFile(this.configPath, envFile, this.io.env, this.displayPath);
    this.out.useRedactor(createRedactor([...Object.values(envFile), ...loaded.secretValues]));
    this.loaded = loaded;
    return loaded;
  }

  /** The environment named by `--env` (or the only one). */
  async environment(): Promise<{ name: string; env: EnvironmentConfig }> {
    const loaded = await this.config();
    return selectEnvironment(loaded.config, this.globals.env);
  }

  /** Fails with a clear error when a read-only command finds no state to read. */
  requireStateDir(): string {
    const dir = this.stateDir;
    if (!existsSync(join(dir, "shipsafe.db"))) {
      throw new ShipsafeError({
        code: "STATE_NOT_FOUND",
        kind: "usage",
        message: `no shipsafe state in ${dir}`,
        hint: "run the command from the directory holding shipsafe.yaml, or pass --state-dir / --config",
      });
    }
    return dir;
  }
}

import { spawn } from "node:child_process";
import { mkdir, open, realpath } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ProcessStatus } from "../../../ports/target.js";
import { readCurrent } from "./current-link.js";
import { readPidFile, removePidFile, writePidFile } from "./pid-file.js";
import { groupAlive, stopGroup } from "./process-group.js";
import { runCommand } from "./run-command.js";
import { formatArgv, targetErrors } from "./target-errors.js";

export interface SupervisorConfig {
  readonly root: string;
  readonly start: readonly string[];
  readonly stop?: readonly string[] | undefined;
  readonly restart?: readonly string[] | undefined;
  readonly stopGrace: number;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly logFile?: string | undefined;
  readonly commandTimeout: number;
}

export interface ServiceSupervisor {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Promise<ProcessStatus>;
}

/**
 * Runs the service of `<root>/current`: either shipsafe starts it detached and tracks it in
 * `<root>/run/service.pid`, or (with `restart`) the user's own command restarts it.
 */
export function createServiceSupervisor(
  config: SupervisorConfig,
  now: () => Date,
): ServiceSupervisor {
  const pidFile = join(config.root, "run", "service.pid");

  /** Where commands run and what they see: the active release, plus SHIPSAFE_* variables. */
  const releaseContext = async (required: boolean) => {
    const version = await readCurrent(config.root);
    if (version === undefined) {
      if (required) throw targetErrors.nothingActive(config.root);
      return { cwd: config.root, env: { ...process.env, ...config.env } };
    }
    const releaseDir = await realpath(join(config.root, "current"));
    const env = {
      ...process.env,
      ...config.env,
      SHIPSAFE_VERSION: version,
      SHIPSAFE_RELEASE_DIR: releaseDir,
    };
    return { version, cwd: releaseDir, env };
  };

  const status = async (): Promise<ProcessStatus> => {
    const record = await readPidFile(pidFile);
    if (!record || !(await groupAlive(record.pid))) return { running: false };
    return { running: true, pid: record.pid, version: record.version };
  };

  const stop = async (): Promise<void> => {
    if (config.stop) {
      const context = await releaseContext(false);
      const record = await readPidFile(pidFile);
      const env = record ? { ...context.env, SHIPSAFE_PID: String(record.pid) } : context.env;
      await runCommand(config.stop, { cwd: context.cwd, env, timeoutMs: config.commandTimeout });
    }
    const record = await readPidFile(pidFile);
    if (!record) return;
    // After a stop command too: whatever it left of the group gets the grace period, then SIGKILL.
    if (await groupAlive(record.pid)) await stopGroup(record.pid, config.stopGrace);
    await removePidFile(pidFile);
  };

  const spawnService = async (): Promise<void> => {
    const context = await releaseContext(true);
    const version = context.version as string;
    const logFile = config.logFile
      ? resolve(config.root, config.logFile)
      : join(config.root, "logs", `${version}.log`);
    await mkdir(dirname(logFile), { recursive: true });
    const log = await open(logFile, "a");
    try {
      await log.write(
        `[shipsafe ${now().toISOString()}] starting ${version}: ${formatArgv(config.start)}\n`,
      );
      const [program, ...args] = config.start as [string, ...string[]];
      const child = spawn(program, args, {
        cwd: context.cwd,
        env: context.env,
        detached: true,
        stdio: ["ignore", log.fd, log.fd],
      });
      await new Promise<void>((resolveSpawn, reject) => {
        child.once("spawn", resolveSpawn);
        child.once("error", (error: NodeJS.ErrnoException) =>
          reject(
            targetErrors.commandFailed(
              config.start,
              error.code === "ENOENT"
                ? "failed: program not found (is it installed and on PATH?)"
                : `failed to start: ${error.message}`,
              error,
            ),
          ),
        );
      });
      const pid = child.pid as number;
      child.unref();
      await writePidFile(pidFile, { pid, version, startedAt: now().toISOString() });
    } finally {
      await log.close();
    }
  };

  return {
    status,
    stop,
    async start() {
      if (config.restart) {
        const context = await releaseContext(true);
        await runCommand(config.restart, {
          cwd: context.cwd,
          env: context.env,
          timeoutMs: config.commandTimeout,
        });
        return;
      }
      if ((await status()).running) await stop();
      await spawnService();
    },
  };
}

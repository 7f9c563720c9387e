import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const CLI = resolve(import.meta.dirname, "../../dist/cli/main.js");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would: a real process, in `cwd`, no stdin. */
export function shipsafe(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  const child = startShipsafe(args, options);
  return child.done;
}

export interface RunningCli {
  readonly pid: number;
  readonly done: Promise<CliRun>;
  /** Resolves when stderr has printed text matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export function startShipsafe(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", SHIPSAFE_ACTOR: "tester", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(stderr)) w.resolve();
      else waiters.push(w);
    }
  });
  const done = new Promise<CliRun>((resolveRun, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolveRun({ code: code ?? (signal ? 128 : -1), stdout, stderr }),
    );
  });
  return {
    pid: child.pid ?? -1,
    done,
    kill: (signal) => child.kill(signal),
    waitForStderr(pattern, timeoutMs = 20_000) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise((resolveWait, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern} in stderr:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolveWait();
          },
        });
      });
    },
  };
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = "shipsafe-test-"): Promise<{
  dir: string;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

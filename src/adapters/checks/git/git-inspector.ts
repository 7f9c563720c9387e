import { resolve } from "node:path";
import type { GitFacts } from "../../../domain/gate/evaluate-git.js";
import type { GitInspector, ProbeLimits } from "../../../ports/check-probes.js";
import type { ProcessResult, ProcessRunner } from "../process/run-process.js";

/** Asks git about a directory: HEAD, uncommitted changes, tags at HEAD. Read-only (no index lock). */
export function createGitInspector(options: {
  readonly run: ProcessRunner;
  /** Relative directories resolve against this (the config file's directory). */
  readonly baseDir: string;
}): GitInspector {
  return {
    async inspect(dir, limits): Promise<GitFacts> {
      const where = resolve(options.baseDir, dir);
      const git = (...args: string[]): Promise<ProcessResult> =>
        runGit(options.run, where, args, limits);

      const inside = await git("rev-parse", "--is-inside-work-tree");
      if (inside.startError !== undefined)
        return { kind: "unavailable", error: `git: ${inside.startError}` };
      if (inside.timedOut) return { kind: "unavailable", error: "git did not answer in time" };
      if (inside.exitCode !== 0 || inside.stdout.trim() !== "true") {
        if (/not a git repository/i.test(inside.stderr) || inside.stdout.trim() === "false") {
          return { kind: "not-a-repo" };
        }
        return {
          kind: "unavailable",
          error: inside.stderr.trim() || `git exited ${inside.exitCode}`,
        };
      }
      const head = await git("rev-parse", "--verify", "--quiet", "HEAD");
      const commit = head.exitCode === 0 ? head.stdout.trim() : undefined;
      const status = await git("status", "--porcelain=v1", "--untracked-files=normal");
      if (status.exitCode !== 0) {
        return { kind: "unavailable", error: status.stderr.trim() || "git status failed" };
      }
      const dirty = status.stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => line.slice(3));
      const tags =
        commit === undefined
          ? { exitCode: 0, stdout: "" }
          : await git("tag", "--points-at", "HEAD");
      return {
        kind: "repo",
        head: commit,
        dirty,
        tags: tags.exitCode === 0 ? tags.stdout.split("\n").filter((t) => t.trim() !== "") : [],
      };
    },
  } satisfies GitInspector;
}

function runGit(
  run: ProcessRunner,
  dir: string,
  args: readonly string[],
  limits: ProbeLimits,
): Promise<ProcessResult> {
  return run(["git", "--no-optional-locks", "-C", dir, ...args], {
    cwd: process.cwd(),
    timeoutMs: limits.timeoutMs,
    signal: limits.signal,
    env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
  });
}

import type { CommandRun } from "../domain/gate/evaluate-command.js";
import type { AssetSize, FreeSpace } from "../domain/gate/evaluate-disk-space.js";
import type { GitFacts } from "../domain/gate/evaluate-git.js";
import type { HttpAnswer } from "../domain/gate/evaluate-http.js";
import type { ToolAnswer } from "../domain/gate/evaluate-tools.js";

/** Bounds every probe: it stops (killing what it started) when the signal aborts. */
export interface ProbeLimits {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Runs an argv without a shell; never throws for a failing program (that is a CommandRun). */
export interface CommandRunner {
  run(
    argv: readonly string[],
    options: ProbeLimits & {
      /** Relative to the config file's directory. */
      readonly cwd?: string | undefined;
      /** Added to shipsafe's own environment. */
      readonly env?: Readonly<Record<string, string>> | undefined;
    },
  ): Promise<CommandRun>;
}

/** One GET; a connection error or timeout is an answer with `ok: false`, not a throw. */
export interface HttpClient {
  get(url: string, limits: ProbeLimits): Promise<HttpAnswer>;
}

/** Runs `<name> <versionArgs>` to learn whether a program is installed and its version. */
export interface ToolProbe {
  version(name: string, versionArgs: readonly string[], limits: ProbeLimits): Promise<ToolAnswer>;
}

/** What git says about a directory (relative to the config file's directory). */
export interface GitInspector {
  inspect(dir: string, limits: ProbeLimits): Promise<GitFacts>;
}

/** Sizes of the protected state and free space where snapshots are written. */
export interface DiskProbe {
  /** Live sizes of the environment's state assets (undefined where not measurable). */
  stateSizes(): Promise<AssetSize[]>;
  /** Free space on the filesystem of `path` (relative to the config file; default: state dir). */
  freeSpace(path?: string): Promise<FreeSpace>;
}

/** The world-touching capabilities gate checks use, wired by the composition root. */
export interface CheckProbes {
  readonly commands: CommandRunner;
  readonly http: HttpClient;
  readonly tools: ToolProbe;
  readonly git: GitInspector;
  readonly disk: DiskProbe;
}

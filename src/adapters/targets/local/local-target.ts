import { isAbsolute, resolve } from "node:path";
import { silentProgress } from "../../../ports/progress.js";
import type { Target } from "../../../ports/target.js";
import { readCurrent, switchCurrent } from "./current-link.js";
import { createReleaseStore } from "./release-store.js";
import { createServiceSupervisor } from "./service-supervisor.js";
import { targetErrors } from "./target-errors.js";

export interface LocalTargetConfig {
  /** Absolute directory holding `releases/`, `current`, `run/` and `logs/`. */
  readonly root: string;
  /** Starts the service in the foreground; shipsafe detaches it. */
  readonly start: readonly string[];
  /** Stops the service (then any process left in its group is signalled). */
  readonly stop?: readonly string[] | undefined;
  /** Restarts the service instead of shipsafe supervising it (e.g. `[systemctl, restart, app]`). */
  readonly restart?: readonly string[] | undefined;
  /** Milliseconds between SIGTERM and SIGKILL. */
  readonly stopGrace: number;
  /** Extra environment for the service and the stop/restart commands. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** The service's log (default `<root>/logs/<version>.log`); relative paths are under `root`. */
  readonly logFile?: string | undefined;
  /** Milliseconds a stop/restart command may run (default 2 minutes). */
  readonly commandTimeout?: number | undefined;
}

export interface LocalTargetDeps {
  readonly now?: () => Date;
}

/**
 * The embedded target: immutable releases in `<root>/releases/<version>/`, an atomically switched
 * `<root>/current` symlink, and the service started detached (or restarted by the user's command).
 */
export function createLocalTarget(config: LocalTargetConfig, deps: LocalTargetDeps = {}): Target {
  if (!isAbsolute(config.root)) {
    throw new Error(`createLocalTarget needs an absolute root, got ${JSON.stringify(config.root)}`);
  }
  const root = resolve(config.root);
  const now = deps.now ?? (() => new Date());
  const store = createReleaseStore(root, now);
  const supervisor = createServiceSupervisor(
    { ...config, root, commandTimeout: config.commandTimeout ?? 120_000 },
    now,
  );

  const target = {
    addRelease: (version, from, progress = silentProgress) => store.add(version, from, progress),
    releases: () => store.list(),
    release: (version) => store.get(version),
    verifyRelease: (version) => store.verify(version),
    current: () => readCurrent(root),
    async activate(version) {
      if (!(await store.get(version))) {
        const known = (await store.list()).map((info) => info.version);
        throw targetErrors.versionUnknown(version, known);
      }
      await switchCurrent(root, version);
    },
    start: () => supervisor.start(),
    stop: () => supervisor.stop(),
    status: () => supervisor.status(),
  } satisfies Target;
  return target;
}

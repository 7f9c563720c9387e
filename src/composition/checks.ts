import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSpawnCommandRunner } from "../adapters/checks/command/spawn-command-runner.js";
import {
  type AssetLocation,
  createStatfsDiskProbe,
} from "../adapters/checks/disk/statfs-disk-probe.js";
import { createGitInspector } from "../adapters/checks/git/git-inspector.js";
import { createFetchHttpClient } from "../adapters/checks/http/fetch-http-client.js";
import { execFileRunner } from "../adapters/checks/process/run-process.js";
import { createToolProbe } from "../adapters/checks/tools/command-tool-probe.js";
import { configuredGate } from "../app/gate/gate-config.js";
import type { GateSetup } from "../app/gate/run-gate.js";
import type { EnvironmentConfig, LoadedConfig } from "../domain/config/types.js";
import type { GateRuntime } from "../domain/gate/gate-evidence.js";
import type { PlanOptions } from "../domain/gate/gate-plan.js";
import type { CheckProbes } from "../ports/check-probes.js";
import type { Services } from "./services.js";

/** The adapters gate checks use to look at the world, for one environment. */
export function createCheckProbes(options: {
  /** The config file's directory: relative paths in checks resolve against it. */
  readonly baseDir: string;
  readonly stateDir: string;
  readonly env: EnvironmentConfig;
}): CheckProbes {
  const { baseDir } = options;
  return {
    commands: createSpawnCommandRunner({ baseDir }),
    http: createFetchHttpClient({ userAgent: `shipsafe-gate/${shipsafeVersion()}` }),
    tools: createToolProbe({ run: execFileRunner, cwd: baseDir }),
    git: createGitInspector({ run: execFileRunner, baseDir }),
    disk: createStatfsDiskProbe({
      baseDir,
      stateDir: options.stateDir,
      assets: options.env.state.map(assetLocation),
    }),
  };
}

function assetLocation(asset: EnvironmentConfig["state"][number]): AssetLocation {
  switch (asset.kind) {
    case "sqlite":
      return { name: asset.name, paths: [asset.path, `${asset.path}-wal`] };
    case "files":
      return { name: asset.name, paths: asset.paths };
    case "postgres":
      return { name: asset.name, paths: undefined };
  }
}

/** Gate `gate` of environment `envName`, from the config (or built in), with its probes wired. */
export function openGateSetup(
  services: Pick<Services, "stateDir">,
  loaded: LoadedConfig,
  envName: string,
  gate: string,
  options: PlanOptions & { readonly redact?: <T>(value: T) => T } = {},
): GateSetup {
  const configured = configuredGate(loaded, envName, gate, options);
  const env = loaded.config.environments[envName] as EnvironmentConfig;
  return {
    ...configured,
    probes: createCheckProbes({ baseDir: dirname(loaded.file), stateDir: services.stateDir, env }),
    runtime: gateRuntime(),
    ...(options.redact ? { redact: options.redact } : {}),
  };
}

function gateRuntime(): GateRuntime {
  return {
    node: process.version,
    shipsafe: shipsafeVersion(),
    platform: process.platform,
    arch: process.arch,
  };
}

let version: string | undefined;

/** shipsafe's own version, from its package.json (dist/composition/ and src/composition/ alike). */
function shipsafeVersion(): string {
  if (version === undefined) {
    const file = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
    version = (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return version;
}

import { parseDuration } from "../../../domain/duration.js";
import { isShipsafeError } from "../../../domain/errors.js";
import { evaluateCommand } from "../../../domain/gate/evaluate-command.js";
import { evaluateDiskSpace } from "../../../domain/gate/evaluate-disk-space.js";
import { evaluateGit } from "../../../domain/gate/evaluate-git.js";
import { evaluateEndpoints, evaluateHttp } from "../../../domain/gate/evaluate-http.js";
import { DEFAULT_VERSION_ARGS, evaluateTools } from "../../../domain/gate/evaluate-tools.js";
import { migrationGateOutcome } from "../../migrations/migration-gate.js";
import type { CheckContext, CheckImplementation } from "../check-context.js";

/** Checks that look at the world through the check probes: programs, URLs, git, the disk. */
const limits = (ctx: CheckContext, timeoutMs: number) => ({ timeoutMs, signal: ctx.signal });

export const commandCheck: CheckImplementation<"command"> = async (ctx, spec) => {
  const run = await ctx.probes.commands.run(spec.command, {
    ...limits(ctx, spec.timeoutMs),
    cwd: spec.cwd,
    env: spec.env,
  });
  return evaluateCommand(spec, run);
};

export const httpCheck: CheckImplementation<"http"> = async (ctx, spec) => {
  const answer = await ctx.probes.http.get(spec.url, limits(ctx, spec.timeoutMs));
  return evaluateHttp(
    {
      url: spec.url,
      status: spec.status,
      bodyContains: spec.bodyContains,
      json: spec.json,
      maxLatencyMs: spec.maxLatency === undefined ? undefined : parseDuration(spec.maxLatency),
    },
    answer,
  );
};

export const endpointsCheck: CheckImplementation<"endpoints"> = async (ctx, spec) => {
  const urls = spec.urls ?? [];
  const answers = await Promise.all(
    urls.map(async (url) => ({
      url,
      answer: await ctx.probes.http.get(url, limits(ctx, spec.timeoutMs)),
    })),
  );
  return evaluateEndpoints(answers);
};

export const toolsCheck: CheckImplementation<"tools"> = async (ctx, spec) => {
  const answers = await Promise.all(
    spec.tools.map((tool) =>
      ctx.probes.tools.version(
        tool.name,
        tool.versionArgs ?? DEFAULT_VERSION_ARGS,
        limits(ctx, spec.timeoutMs),
      ),
    ),
  );
  return evaluateTools(spec.tools, answers);
};

export const gitCheck: CheckImplementation<"git"> = async (ctx, spec) => {
  const facts = await ctx.probes.git.inspect(spec.dir, limits(ctx, spec.timeoutMs));
  return evaluateGit(spec, facts);
};

export const diskSpaceCheck: CheckImplementation<"disk-space"> = async (ctx, spec) => {
  const measured = await ctx.probes.disk.stateSizes();
  // A database measured only through its snapshots: the newest snapshot's copy is the estimate.
  const unknown = measured.some((asset) => asset.bytes === undefined);
  const newest = unknown ? (await ctx.ports.snapshots.list({ env: ctx.ports.env }))[0] : undefined;
  const sizes = measured.map((asset) => {
    if (asset.bytes !== undefined) return asset;
    const copy = newest?.assets.find((a) => a.name === asset.name);
    return copy ? { ...asset, bytes: copy.size, source: `snapshot ${newest?.id}` } : asset;
  });
  const free = await ctx.probes.disk.freeSpace(spec.path);
  return evaluateDiskSpace(spec.factor, sizes, free);
};

/** See migrationGateOutcome: the state against the running and the gated release, reversibility. */
export const migrationsCheck: CheckImplementation<"migrations"> = async (ctx, spec) => {
  if (!ctx.ports.migrations) {
    return {
      status: "inconclusive",
      diagnostics: [
        "migrations are not configured",
        "add migrations: { kind: sql-dir, dir: migrations } to the environment (docs/config.md#migrations)",
      ],
    };
  }
  try {
    return await migrationGateOutcome(ctx.ports, ctx.version, {
      reversible: spec.reversible,
      waivers: ctx.migrationWaivers,
    });
  } catch (error) {
    // A changed applied migration or a misnumbered file is a finding, not a crash of the check.
    if (!isShipsafeError(error)) throw error;
    const status = error.kind === "runtime" ? "error" : "fail";
    return { status, diagnostics: [error.message, error.hint] };
  }
};

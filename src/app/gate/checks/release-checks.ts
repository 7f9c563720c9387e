import { isShipsafeError } from "../../../domain/errors.js";
import type { CheckOutcome } from "../../../domain/gate/check-outcome.js";
import type { EnvironmentPorts } from "../../environment.js";
import { describeProbes } from "../../health/wait-healthy.js";
import { resolveRollbackTarget } from "../../rollback/resolve-rollback-target.js";
import { snapshotForVersion } from "../../snapshots/take-snapshot.js";
import type { CheckImplementation } from "../check-context.js";

/** Checks about the releases on the target: the artifact, the running release, the previous one. */
type Resolved = { version: string } | { outcome: CheckOutcome };

/** The release a rollback to `previous` would return to, or the failure saying why there is none. */
async function previousRelease(ports: EnvironmentPorts): Promise<Resolved> {
  try {
    return { version: (await resolveRollbackTarget(ports, "previous")).version };
  } catch (error) {
    if (!isShipsafeError(error)) throw error;
    return { outcome: { status: "fail", diagnostics: [error.message, error.hint] } };
  }
}

async function artifactVersion(
  ports: EnvironmentPorts,
  wanted: string | undefined,
  gated: string | undefined,
): Promise<Resolved> {
  const which = wanted ?? gated ?? "current";
  if (which === "previous") return previousRelease(ports);
  if (which !== "current") return { version: which };
  const current = await ports.target.current();
  if (current !== undefined) return { version: current };
  return {
    outcome: {
      status: "inconclusive",
      diagnostics: [
        "no release to check: nothing is deployed and the gate was not run for a version",
        "name the version: shipsafe gate <name> --release <version>",
      ],
    },
  };
}

export const artifactCheck: CheckImplementation<"artifact"> = async (ctx, spec) => {
  const resolved = await artifactVersion(ctx.ports, spec.version, ctx.version);
  if ("outcome" in resolved) return resolved.outcome;
  const { version } = resolved;
  const info = await ctx.ports.target.release(version);
  if (!info) {
    const known = (await ctx.ports.target.releases()).map((r) => r.version);
    return {
      status: "fail",
      diagnostics: [
        `release ${version} is not stored on the target (known: ${known.join(", ") || "none"})`,
        `add it: shipsafe release add ${version} --from <dir>`,
      ],
    };
  }
  const check = await ctx.ports.target.verifyRelease(version);
  const details = { version, checksum: info.checksum, files: info.files };
  return check.ok
    ? {
        status: "pass",
        diagnostics: [`release ${version} matches its checksummed file list`],
        details,
      }
    : {
        status: "fail",
        diagnostics: [
          ...check.problems,
          `re-add the release: shipsafe release add ${version} --from <dir>`,
        ],
        details,
      };
};

export const healthCheck: CheckImplementation<"health"> = async (ctx, spec) => {
  const current = await ctx.ports.target.current();
  if (!current) {
    return spec.requireRunning
      ? {
          status: "fail",
          diagnostics: ["nothing is deployed", "deploy a release: shipsafe deploy <version>"],
        }
      : { status: "pass", diagnostics: ["nothing deployed yet: first release"] };
  }
  const probes = await ctx.ports.health.probe();
  if (probes.length === 0) {
    return {
      status: "inconclusive",
      diagnostics: [
        `${current}: no health endpoint configured, nothing to probe`,
        "set health.live / health.ready in the environment (docs/config.md#health)",
      ],
    };
  }
  const ok = probes.every((p) => p.ok);
  const details = {
    version: current,
    probes: probes.map((p) => ({
      name: p.name,
      url: p.url,
      ok: p.ok,
      status: p.status ?? null,
      error: p.error ?? null,
      latencyMs: p.latencyMs,
    })),
  };
  return ok
    ? { status: "pass", diagnostics: [`${current} is healthy: ${describeProbes(probes)}`], details }
    : {
        status: "fail",
        diagnostics: [
          `${current} is not healthy: ${probes
            .filter((p) => !p.ok)
            .map((p) => `${p.name} ${p.url} ${p.error ?? `status ${p.status}`}`)
            .join(", ")}`,
          "fix or roll back the running release before deploying a new one",
        ],
        details,
      };
};

export const previousReleaseCheck: CheckImplementation<"previous-release"> = async (ctx, spec) => {
  const resolved = await previousRelease(ctx.ports);
  if ("outcome" in resolved) return resolved.outcome;
  const { version } = resolved;
  const current = await ctx.ports.target.current();
  const base = `previous release ${version} (running: ${current ?? "none"})`;
  if (!spec.snapshot || ctx.ports.assets.length === 0) {
    return { status: "pass", diagnostics: [base], details: { version } };
  }
  const snapshot = await snapshotForVersion(ctx.ports, version);
  if (!snapshot) {
    return {
      status: "fail",
      diagnostics: [
        `${base}: no snapshot was taken while ${version} ran, so a rollback to it can switch the application back but not restore its state`,
        "prepare each release before deploying it (shipsafe release prepare <version>): that snapshots the running release's state",
      ],
      details: { version },
    };
  }
  return {
    status: "pass",
    diagnostics: [`${base}; snapshot ${snapshot.id} holds its state`],
    details: { version, snapshotId: snapshot.id },
  };
};

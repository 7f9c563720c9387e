import { parseDuration } from "../../../domain/duration.js";
import { isShipsafeError } from "../../../domain/errors.js";
import type { CheckOutcome } from "../../../domain/gate/check-outcome.js";
import { evaluateBackupAge } from "../../../domain/gate/evaluate-backup-age.js";
import { manifestHashOf } from "../../../domain/gate/manifest-hash.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { resolveRollbackTarget } from "../../rollback/resolve-rollback-target.js";
import { snapshotForVersion } from "../../snapshots/take-snapshot.js";
import type { CheckContext, CheckImplementation } from "../check-context.js";

/** Checks about the snapshots a rollback or restore would need. */
export const backupAgeCheck: CheckImplementation<"backup-age"> = async (ctx, spec) => {
  const { ports } = ctx;
  const hasAssets = ports.assets.length > 0;
  const newest = hasAssets ? (await ports.snapshots.list({ env: ports.env }))[0] : undefined;
  const verification = spec.verify && newest ? await ports.snapshots.verify(newest.id) : undefined;
  return evaluateBackupAge(parseDuration(spec.maxAge), {
    hasAssets,
    newest,
    now: ports.clock.now(),
    ...(verification ? { verification } : {}),
  });
};

async function snapshotToVerify(
  ctx: CheckContext,
  which: "newest" | "previous-release",
): Promise<SnapshotManifest | CheckOutcome> {
  const { ports } = ctx;
  if (which === "newest") {
    const newest = (await ports.snapshots.list({ env: ports.env }))[0];
    return (
      newest ?? {
        status: "fail",
        diagnostics: [`${ports.env} has no snapshot`, "take one: shipsafe snapshot create"],
      }
    );
  }
  let previous: string;
  try {
    previous = (await resolveRollbackTarget(ports, "previous")).version;
  } catch (error) {
    if (!isShipsafeError(error)) throw error;
    return { status: "fail", diagnostics: [error.message, error.hint] };
  }
  const snapshot = await snapshotForVersion(ports, previous);
  return (
    snapshot ?? {
      status: "fail",
      diagnostics: [
        `no snapshot was taken while the previous release ${previous} ran: a rollback to it cannot restore its state`,
        "prepare each release before deploying it (shipsafe release prepare <version>)",
      ],
    }
  );
}

export const snapshotVerifyCheck: CheckImplementation<"snapshot-verify"> = async (ctx, spec) => {
  if (ctx.ports.assets.length === 0) {
    return { status: "pass", diagnostics: ["no state assets configured: no snapshot to verify"] };
  }
  const found = await snapshotToVerify(ctx, spec.snapshot);
  if (!("manifestHash" in found)) return found;
  const details = { snapshotId: found.id, mode: spec.mode, size: found.size };
  if (spec.mode === "quick") {
    const actual = manifestHashOf(found);
    return actual === found.manifestHash
      ? {
          status: "pass",
          diagnostics: [
            `snapshot ${found.id}: manifest matches its hash (quick: chunks not re-read)`,
          ],
          details,
        }
      : {
          status: "fail",
          diagnostics: [
            `snapshot ${found.id}: its manifest hashes to ${actual}, not ${found.manifestHash}`,
            "the snapshot store was altered; take a new snapshot and run shipsafe snapshot verify",
          ],
          details,
        };
  }
  const verification = await ctx.ports.snapshots.verify(found.id);
  return verification.ok
    ? {
        status: "pass",
        diagnostics: [
          `snapshot ${found.id}: every file re-read and matches (${found.assets.length} asset(s))`,
        ],
        details,
      }
    : {
        status: "fail",
        diagnostics: [
          `snapshot ${found.id} is damaged: ${verification.problems.slice(0, 10).join("; ")}`,
          `see every problem: shipsafe snapshot verify ${found.id}`,
        ],
        details,
      };
};

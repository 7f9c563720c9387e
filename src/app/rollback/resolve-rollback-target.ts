import { ShipsafeError } from "../../domain/errors.js";
import { describeRejections } from "../../domain/lkg/last-known-good.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import type { EnvironmentPorts } from "../environment.js";
import { lastKnownGood } from "../lkg/last-known-good.js";
import { getReleaseRecord } from "../release/release-records.js";
import { unknownVersionError } from "../release/require-release.js";

export interface RollbackTarget {
  readonly version: string;
  /** A snapshot named by `--to snapshot:<id>`: restore it whatever the flags say. */
  readonly snapshot?: SnapshotManifest;
}

/** Resolves `--to previous | <version> | lkg | snapshot:<id>` to a stored release (and snapshot). */
export async function resolveRollbackTarget(
  ports: Pick<EnvironmentPorts, "env" | "store" | "target" | "snapshots">,
  to: string,
): Promise<RollbackTarget> {
  const releases = await ports.target.releases();
  const known = releases.map((r) => r.version);
  const current = await ports.target.current();

  if (to.startsWith("snapshot:")) {
    const id = to.slice("snapshot:".length);
    const snapshot = await ports.snapshots.get(id);
    if (!snapshot) {
      const recent = (await ports.snapshots.list({ env: ports.env })).slice(0, 5).map((s) => s.id);
      throw new ShipsafeError({
        code: "SNAPSHOT_UNKNOWN",
        kind: "usage",
        message: `no snapshot "${id}" in ${ports.env}${recent.length ? ` (newest: ${recent.join(", ")})` : ""}`,
        hint: "list them with: shipsafe snapshot list",
      });
    }
    const record = await ports.store.snapshots.get(id);
    const running = record?.doc.runningVersion;
    const version = typeof running === "string" ? running : current;
    if (!version) {
      throw new ShipsafeError({
        code: "NO_RELEASE_FOR_SNAPSHOT",
        kind: "usage",
        message: `snapshot ${id} was taken while no release was running, and none is running now`,
        hint: "deploy a release first, or restore the snapshot with: shipsafe snapshot restore",
      });
    }
    return { version, snapshot };
  }

  if (to === "previous") {
    if (!current) throw noCurrent(ports.env);
    const record = await getReleaseRecord(ports, current);
    const previous = record?.doc.previousVersion;
    if (typeof previous === "string" && known.includes(previous)) return { version: previous };
    const index = known.indexOf(current);
    const before = index > 0 ? known[index - 1] : undefined;
    if (!before) {
      throw new ShipsafeError({
        code: "NO_PREVIOUS_RELEASE",
        kind: "usage",
        message: `${ports.env} runs ${current} and has no release before it`,
        hint: `roll back to a named version (known: ${known.join(", ")})`,
      });
    }
    return { version: before };
  }

  if (to === "lkg") {
    const selection = await lastKnownGood(ports, {
      exclude: current ?? undefined,
      available: known,
    });
    if (!selection.lkg) {
      throw new ShipsafeError({
        code: "NO_LAST_KNOWN_GOOD",
        kind: "usage",
        message: `no release of ${ports.env} is last known good (${describeRejections(selection)})`,
        hint: `a release is last known good when its release gate passed (shipsafe release prepare) and its deploy was observed healthy; see shipsafe lkg --env ${ports.env}, or roll back to a named version (known: ${known.join(", ")})`,
      });
    }
    return { version: selection.lkg.version };
  }

  if (!known.includes(to)) throw unknownVersionError(to, known);
  return { version: to };
}

function noCurrent(env: string): ShipsafeError {
  return new ShipsafeError({
    code: "NOTHING_DEPLOYED",
    kind: "usage",
    message: `nothing is deployed in ${env}, so there is no previous release`,
    hint: "deploy a release first: shipsafe deploy <version>",
  });
}

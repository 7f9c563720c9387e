import { ShipsafeError } from "../../domain/errors.js";
import type { MigrationRunner } from "../../ports/migration-runner.js";
import type { Target } from "../../ports/target.js";

/** The releases and migrations one analysis command is about. */
export interface AnalysisScope {
  /** The release whose migrations directory holds the SQL. */
  readonly version: string;
  readonly releaseDir: string;
  /** The migrations to analyse, in apply order. */
  readonly ids: readonly string[];
  /** How the ids were chosen, for the output. */
  readonly selection: string;
}

/** A stored release's directory: `version`, else the active one. */
export async function releaseDirOf(
  target: Pick<Target, "current" | "release">,
  version?: string,
): Promise<{ version: string; releaseDir: string }> {
  const chosen = version ?? (await target.current());
  if (!chosen) {
    throw new ShipsafeError({
      code: "NO_ACTIVE_RELEASE",
      kind: "usage",
      message: "no release is active on the target, so there are no migrations to analyse",
      hint: "name one with --release <version> (or --to <version>)",
    });
  }
  const info = await target.release(chosen);
  if (!info) {
    throw new ShipsafeError({
      code: "RELEASE_NOT_FOUND",
      kind: "usage",
      message: `release ${chosen} is not stored on the target`,
      hint: "list the stored releases with shipsafe release list",
    });
  }
  return { version: chosen, releaseDir: info.path };
}

/**
 * The migrations between two releases: those `to` ships that `from` does not (rolling forward), or
 * else those `from` ships that `to` does not (rolling back, read from `from`'s directory). Without
 * `from`, the migrations of `to` (default: the active release) the database has not applied yet.
 */
export async function migrationsBetween(
  runner: Pick<MigrationRunner, "list" | "status">,
  target: Pick<Target, "current" | "release">,
  range: { readonly from?: string; readonly to?: string },
): Promise<AnalysisScope> {
  const to = await releaseDirOf(target, range.to);
  if (range.from === undefined) {
    const state = await runner.status(to.releaseDir);
    return { ...to, ids: state.pending, selection: `pending in ${to.version}` };
  }
  const from = await releaseDirOf(target, range.from);
  const toIds = (await runner.list(to.releaseDir)).map((m) => m.id);
  const fromIds = (await runner.list(from.releaseDir)).map((m) => m.id);
  const forward = toIds.filter((id) => !fromIds.includes(id));
  if (forward.length > 0 || toIds.length >= fromIds.length) {
    return { ...to, ids: forward, selection: `in ${to.version}, not in ${from.version}` };
  }
  const back = fromIds.filter((id) => !toIds.includes(id));
  return { ...from, ids: back, selection: `in ${from.version}, not in ${to.version}` };
}

import type { Reversibility } from "../../domain/migrations/migration.js";
import { downResidue, judgeRoundTrip } from "../../domain/migrations/round-trip.js";
import type { MigrationSql } from "../../ports/migration-runner.js";
import type { ScratchDatabase } from "../../ports/scratch-database.js";
import { type AnalysisDeps, errorText, type ScratchSource } from "./analysis-deps.js";

export const NO_SQL_ROUND_TRIP =
  "the command source does not expose SQL, so up → down → up cannot run on a scratch copy";

const nonReversible = (migrationId: string, reason: string): Reversibility => ({
  migrationId,
  status: "non-reversible",
  reason,
});

/**
 * Runs up → down → up for each of `ids` (in apply order, each starting where the previous one's up
 * left the copy) on a scratch copy and judges it by schema fingerprint. After a failed or lying
 * round trip the copy is rebuilt (fresh copy, earlier ups replayed), so one bad migration does not
 * spoil the verdicts of the next. Every copy is dropped, also on error.
 */
export async function verifyReversible(
  deps: AnalysisDeps,
  ids: readonly string[],
  source: ScratchSource = {},
): Promise<Reversibility[]> {
  const sqls: (MigrationSql | null)[] = [];
  for (const id of ids) sqls.push(await deps.sqlOf(id));
  if (sqls.every((sql) => sql === null)) {
    return ids.map((id) => nonReversible(id, NO_SQL_ROUND_TRIP));
  }
  const results: Reversibility[] = [];
  const copy: { db: ScratchDatabase | undefined } = { db: undefined };
  /** A new copy with the ups before `upTo` applied; the reason when that fails. */
  const fresh = async (upTo: number): Promise<{ db: ScratchDatabase; broken: string | null }> => {
    await copy.db?.drop();
    copy.db = undefined;
    const db = await deps.scratch.create(
      source.snapshotId ? { snapshotId: source.snapshotId } : {},
    );
    copy.db = db;
    for (let i = 0; i < upTo; i++) {
      try {
        await db.exec((sqls[i] as MigrationSql).up);
      } catch (error) {
        const reason = `the state before it cannot be rebuilt: up of ${ids[i]} failed: ${errorText(error)}`;
        return { db, broken: reason };
      }
    }
    return { db, broken: null };
  };
  try {
    let { db, broken } = await fresh(0);
    for (const [i, id] of ids.entries()) {
      const sql = sqls[i] ?? null;
      if (broken) {
        results.push(nonReversible(id, `not checked: ${broken}`));
        continue;
      }
      if (!sql) {
        results.push(nonReversible(id, NO_SQL_ROUND_TRIP));
        broken = `${id} (before it) shows no SQL, so it cannot be applied on the scratch copy`;
        continue;
      }
      const result = await roundTrip(db, id, sql);
      results.push(result.verdict);
      if (result.state === "up-failed") {
        broken = `up of ${id} (before it) fails on the scratch copy`;
      } else if (result.state === "unknown") {
        ({ db, broken } = await fresh(i + 1));
      }
    }
    return results;
  } finally {
    await copy.db?.drop();
  }
}

/** Where a round trip leaves the copy: after the up (ready for the next), or somewhere unknown. */
type CopyState = "after-up" | "unknown" | "up-failed";

async function roundTrip(
  db: ScratchDatabase,
  id: string,
  sql: MigrationSql,
): Promise<{ verdict: Reversibility; state: CopyState }> {
  const before = await db.schema();
  try {
    await db.exec(sql.up);
  } catch (error) {
    return { verdict: nonReversible(id, `up failed: ${errorText(error)}`), state: "up-failed" };
  }
  const up = await db.schema();
  if (sql.down === null) {
    return { verdict: nonReversible(id, "no down-migration"), state: "after-up" };
  }
  try {
    await db.exec(sql.down);
  } catch (error) {
    return { verdict: nonReversible(id, `down failed: ${errorText(error)}`), state: "unknown" };
  }
  const down = await db.schema();
  // Judged before up runs again: a down that leaves things behind would make that up fail.
  const left = downResidue(before, down);
  if (left) return { verdict: nonReversible(id, `down ${left}`), state: "unknown" };
  try {
    await db.exec(sql.up);
  } catch (error) {
    const verdict = nonReversible(id, `up after down failed: ${errorText(error)}`);
    return { verdict, state: "unknown" };
  }
  const reUp = await db.schema();
  const verdict = judgeRoundTrip(id, { before, up, down, reUp });
  return { verdict, state: verdict.status === "reversible" ? "after-up" : "unknown" };
}

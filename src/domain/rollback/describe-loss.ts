import { formatDuration } from "../duration.js";
import type { MigrationBetween } from "./choose-rollback-type.js";
import { downEffects } from "./down-effects.js";
import type { DataLoss, TableLoss } from "./plan.js";
import type { AssetState } from "./state-facts.js";

/**
 * shipsafe's own bookkeeping in the service's database (the sql-dir tracking table): restoring it
 * with the data is what keeps it true, so it is never counted as data lost.
 */
const BOOKKEEPING_TABLES = new Set(["shipsafe_migrations"]);

/** The snapshot a restore would bring back, as the planner sees it. */
export interface LossSnapshot {
  readonly id: string;
  readonly takenAt: string;
  readonly assets: readonly AssetState[];
}

/**
 * What restoring `snapshot` discards: every table whose live row count exceeds the snapshot's and
 * every table the snapshot does not have ("at least": counts cannot see updates).
 */
export function restoreLoss(
  now: string,
  snapshot: LossSnapshot,
  live: readonly AssetState[],
): DataLoss {
  const ageMs = Math.max(0, Date.parse(now) - Date.parse(snapshot.takenAt));
  const assets = live.map((state) => {
    const before = snapshot.assets.find((a) => a.name === state.name);
    const tables: TableLoss[] = [];
    for (const [table, liveRows] of Object.entries(state.tables ?? {})) {
      if (BOOKKEEPING_TABLES.has(table)) continue;
      const snapshotRows = before?.tables?.[table] ?? null;
      if (snapshotRows === null || liveRows > snapshotRows) {
        tables.push({ table, liveRows, snapshotRows });
      }
    }
    return { name: state.name, tables };
  });
  const parts = assets.flatMap((a) =>
    a.tables.map((t) =>
      t.snapshotRows === null
        ? `table ${a.name}.${t.table} (${plural(t.liveRows)}; not in the snapshot)`
        : `${plural(t.liveRows - t.snapshotRows)} in ${a.name}.${t.table}`,
    ),
  );
  const age = formatDuration(ageMs);
  const summary =
    parts.length === 0
      ? `restoring snapshot ${snapshot.id} (taken ${age} ago) discards no counted rows; changes to existing rows since then are lost`
      : `restoring snapshot ${snapshot.id} (taken ${age} ago) discards at least ${joinAnd(parts)}; changes to existing rows since then are lost`;
  return {
    method: "restore",
    snapshotId: snapshot.id,
    snapshotTakenAt: snapshot.takenAt,
    snapshotAgeMs: ageMs,
    assets: assets.filter((a) => a.tables.length > 0),
    summary,
  };
}

/**
 * What the down-migrations discard by their own effect: the tables they drop, the columns they drop
 * (their values in every live row), the rows they delete. Nothing else changes: no restore.
 */
export function downMigrationLoss(
  between: readonly MigrationBetween[],
  live: readonly AssetState[],
): DataLoss {
  const byAsset = new Map<string, Map<string, TableLoss>>();
  const parts: string[] = [];
  const unreadable: string[] = [];
  for (const migration of [...between].reverse()) {
    if (migration.downSql === null) {
      unreadable.push(migration.id);
      continue;
    }
    for (const effect of downEffects(migration.downSql)) {
      const found = findTable(live, effect.table);
      const rows = found?.rows ?? 0;
      const where = found ? `${found.asset}.${found.table}` : effect.table;
      if (effect.kind === "drops-table") parts.push(`table ${where} (${plural(rows)})`);
      else if (effect.kind === "drops-column")
        parts.push(`column ${where}.${effect.column} (values in ${plural(rows)})`);
      else parts.push(`rows of ${where} (up to ${rows})`);
      if (!found || rows === 0) continue;
      const tables = byAsset.get(found.asset) ?? new Map<string, TableLoss>();
      byAsset.set(found.asset, tables);
      const previous = tables.get(found.table);
      if (effect.kind === "drops-column" && effect.column !== undefined) {
        if (previous?.snapshotRows === null) continue; // the table goes anyway
        tables.set(found.table, {
          table: found.table,
          liveRows: rows,
          snapshotRows: rows,
          columns: [...(previous?.columns ?? []), effect.column],
        });
      } else {
        tables.set(found.table, { table: found.table, liveRows: rows, snapshotRows: null });
      }
    }
  }
  const assets = [...byAsset].map(([name, tables]) => ({ name, tables: [...tables.values()] }));
  const dropped =
    parts.length === 0
      ? "the down-migrations drop no tables or columns"
      : `the down-migrations discard ${joinAnd(parts)}`;
  const summary =
    unreadable.length === 0
      ? `${dropped}; nothing else is lost (no restore)`
      : `${dropped}; what the downs of ${unreadable.join(", ")} discard cannot be read from their source`;
  return {
    method: "down-migrations",
    snapshotId: null,
    snapshotTakenAt: null,
    snapshotAgeMs: null,
    assets,
    summary,
  };
}

function findTable(
  live: readonly AssetState[],
  table: string,
): { asset: string; table: string; rows: number } | undefined {
  for (const asset of live) {
    for (const [name, rows] of Object.entries(asset.tables ?? {})) {
      if (name.toLowerCase() === table.toLowerCase())
        return { asset: asset.name, table: name, rows };
    }
  }
  return undefined;
}

function plural(n: number): string {
  return n === 1 ? "1 row" : `${n} rows`;
}

export function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1
    ? parts.join("")
    : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

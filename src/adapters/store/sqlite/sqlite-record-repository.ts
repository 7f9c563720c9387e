import type Database from "better-sqlite3";
import type { RecordRepository } from "../../../ports/store.js";

type Column = string | number | null;

/** How one record kind maps onto its table: indexed columns beside the full `doc` JSON. */
export interface RecordTable<T> {
  readonly table: string;
  /** The column `list` orders by, newest first. */
  readonly timeColumn: string;
  /** Indexed columns besides `id`, `env` and `doc`. */
  readonly columns: Readonly<Record<string, (record: T) => Column>>;
}

/** A `RecordRepository` over one table; `put` inserts or replaces the record with that id. */
export function sqliteRecordRepository<T extends { readonly id: string; readonly env: string }>(
  db: Database.Database,
  spec: RecordTable<T>,
): RecordRepository<T> {
  const extra = Object.keys(spec.columns);
  const names = ["id", "env", ...extra, "doc"];
  const updates = names.filter((n) => n !== "id").map((n) => `${n} = excluded.${n}`);
  const upsert = db.prepare(
    `INSERT INTO ${spec.table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})
     ON CONFLICT (id) DO UPDATE SET ${updates.join(", ")}`,
  );
  const byId = db.prepare(`SELECT doc FROM ${spec.table} WHERE id = ?`).pluck();
  const order = `ORDER BY ${spec.timeColumn} DESC, rowid DESC LIMIT ?`;
  const all = db.prepare(`SELECT doc FROM ${spec.table} ${order}`).pluck();
  const ofEnv = db.prepare(`SELECT doc FROM ${spec.table} WHERE env = ? ${order}`).pluck();

  return {
    async put(record) {
      const values = extra.map((name) => (spec.columns[name] as (r: T) => Column)(record));
      upsert.run(record.id, record.env, ...values, JSON.stringify(record));
    },
    async get(id) {
      const doc = byId.get(id) as string | undefined;
      return doc === undefined ? undefined : (JSON.parse(doc) as T);
    },
    async list(filter = {}) {
      const limit = filter.limit ?? -1;
      const docs = (
        filter.env === undefined ? all.all(limit) : ofEnv.all(filter.env, limit)
      ) as string[];
      return docs.map((doc) => JSON.parse(doc) as T);
    },
  };
}

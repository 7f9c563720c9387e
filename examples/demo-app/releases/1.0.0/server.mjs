// demo-app 1.0.0: the healthy release. Schema version 1: orders(id, item, qty, created_at), created
// by migrations/0001_orders.up.sql (by shipsafe on deploy, or by the server on an empty database).
import { applyMigrations, releaseVersion, runDemo } from "./demo-core.mjs";

const SCHEMA_VERSION = 1;

/** Brings an empty database to schema 1; refuses a database a newer release has migrated. */
function migrate(db) {
  applyMigrations(
    db,
    import.meta.url,
    SCHEMA_VERSION,
    "; restore the snapshot taken before the upgrade (or run its down-migration) before starting this release",
  );
}

function insertOrder(db, order) {
  const insert = db.prepare("INSERT INTO orders (item, qty) VALUES (?, ?)");
  return Number(insert.run(order.item, order.qty).lastInsertRowid);
}

runDemo({
  version: releaseVersion(import.meta.url),
  behaviour: { errorRate: 0, extraLatencyMs: [0, 0] },
  migrate,
  insertOrder,
});

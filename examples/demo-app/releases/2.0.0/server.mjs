// demo-app 2.0.0: the bad release. About 20% of work requests fail and they take 40-80 ms longer;
// its migration 0002_discounts (schema version 2: orders.discount_code, a coupons table with rows,
// orders.qty renamed to quantity) is breaking for 1.0.0 and has no down-migration: 1.0.0 refuses
// to start on a version-2 database, so rolling back needs the snapshot restored (Type 3).
import { applyMigrations, releaseVersion, runDemo } from "./demo-core.mjs";

const SCHEMA_VERSION = 2;

/** Brings the database to schema 2 (0001, then 0002) unless shipsafe already did. */
function migrate(db) {
  applyMigrations(db, import.meta.url, SCHEMA_VERSION);
}

function insertOrder(db, order) {
  const insert = db.prepare("INSERT INTO orders (item, quantity, discount_code) VALUES (?, ?, ?)");
  return Number(insert.run(order.item, order.qty, order.discountCode).lastInsertRowid);
}

runDemo({
  version: releaseVersion(import.meta.url),
  behaviour: { errorRate: 0.2, extraLatencyMs: [40, 80] },
  migrate,
  insertOrder,
});

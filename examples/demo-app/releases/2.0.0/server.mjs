// demo-app 2.0.0: the bad release. About 20% of work requests fail and they take 40-80 ms longer;
// on start it migrates to schema version 2 (orders.discount_code, a coupons table with rows), data
// that 1.0.0 must not keep: 1.0.0 refuses to start on a version-2 database.
import { releaseVersion, runDemo } from "./demo-core.mjs";

const SCHEMA_VERSION = 2;

const COUPONS = [
  ["WELCOME10", 10],
  ["SPRING25", 25],
  ["VIP50", 50],
];

function migrate(db) {
  const current = db.pragma("user_version", { simple: true });
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database ${db.name} has schema version ${current}, newer than this release supports (${SCHEMA_VERSION})`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    if (current < 1) {
      db.exec(`CREATE TABLE IF NOT EXISTS orders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        item TEXT NOT NULL,
        qty INTEGER NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      )`);
    }
    db.exec("ALTER TABLE orders ADD COLUMN discount_code TEXT");
    db.exec(`CREATE TABLE coupons (
      code TEXT PRIMARY KEY,
      percent_off INTEGER NOT NULL,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )`);
    const insert = db.prepare("INSERT INTO coupons (code, percent_off) VALUES (?, ?)");
    for (const [code, percentOff] of COUPONS) insert.run(code, percentOff);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function insertOrder(db, order) {
  const insert = db.prepare("INSERT INTO orders (item, qty, discount_code) VALUES (?, ?, ?)");
  return Number(insert.run(order.item, order.qty, order.discountCode).lastInsertRowid);
}

runDemo({
  version: releaseVersion(import.meta.url),
  behaviour: { errorRate: 0.2, extraLatencyMs: [40, 80] },
  migrate,
  insertOrder,
});

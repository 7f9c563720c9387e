// demo-app 1.0.0: the healthy release. Schema version 1: orders(id, item, qty, created_at).
import { releaseVersion, runDemo } from "./demo-core.mjs";

const SCHEMA_VERSION = 1;

/** Creates schema 1 on an empty database; refuses a database a newer release has migrated. */
function migrate(db) {
  const current = db.pragma("user_version", { simple: true });
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database ${db.name} has schema version ${current}, newer than this release supports (${SCHEMA_VERSION}); ` +
        "restore the snapshot taken before the upgrade (or run its down-migration) before starting this release",
    );
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS orders (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      item TEXT NOT NULL,
      qty INTEGER NOT NULL,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
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

#!/usr/bin/env node
// A small migration tool of the kind shipsafe's `command` source drives (knex, alembic, ...), for
// tests: SQL files `migrations/<id>.sql` in the working directory, "-- down" separating the down
// part, applied to the SQLite file in $MINI_DB and tracked in its own table `mini_migrations`.
//   status [--json]    up [<target id>]    down <count>
import { readdirSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";

const [command, arg] = process.argv.slice(2);
const db = new Database(process.env.MINI_DB);
db.exec("CREATE TABLE IF NOT EXISTS mini_migrations (id TEXT PRIMARY KEY, at TEXT NOT NULL)");
const files = readdirSync("migrations")
  .filter((f) => f.endsWith(".sql"))
  .sort()
  .map((f) => {
    const [up, down] = readFileSync(`migrations/${f}`, "utf8").split("-- down");
    return { id: f.slice(0, -4), up, down };
  });
const applied = db.prepare("SELECT id, at FROM mini_migrations ORDER BY id").all();
const at = new Map(applied.map((r) => [r.id, r.at]));

function fail(message) {
  process.stderr.write(`mini-migrate: ${message}\n`);
  process.exit(1);
}

if (command === "status") {
  const shipped = new Set(files.map((f) => f.id));
  const rows = [
    ...files.map((f) => ({ id: f.id, applied: at.has(f.id), appliedAt: at.get(f.id) ?? null })),
    ...applied
      .filter((r) => !shipped.has(r.id))
      .map((r) => ({ id: r.id, applied: true, appliedAt: r.at, shipped: false })),
  ];
  if (arg === "--json") process.stdout.write(`${JSON.stringify({ migrations: rows })}\n`);
  else {
    process.stdout.write("mini-migrate status\n");
    for (const r of rows) {
      process.stdout.write(`${r.id}  ${r.applied ? `applied ${r.appliedAt}` : "pending"}\n`);
    }
  }
} else if (command === "up") {
  if (arg !== undefined && !files.some((f) => f.id === arg)) fail(`unknown target ${arg}`);
  for (const f of files) {
    if (at.has(f.id)) continue;
    try {
      db.transaction(() => {
        db.exec(f.up);
        db.prepare("INSERT INTO mini_migrations VALUES (?, ?)").run(f.id, new Date().toISOString());
      })();
    } catch (error) {
      fail(`${f.id} failed: ${error.message}`);
    }
    process.stdout.write(`applied ${f.id}\n`);
    if (f.id === arg) break;
  }
} else if (command === "down") {
  const count = Number(arg);
  if (!Number.isInteger(count) || count < 1) fail(`down needs a count, got ${arg}`);
  for (const row of applied.reverse().slice(0, count)) {
    const f = files.find((x) => x.id === row.id);
    if (!f?.down) fail(`${row.id} has no down part`);
    db.transaction(() => {
      db.exec(f.down);
      db.prepare("DELETE FROM mini_migrations WHERE id = ?").run(row.id);
    })();
    process.stdout.write(`reverted ${row.id}\n`);
  }
} else {
  fail(`unknown command ${command}`);
}

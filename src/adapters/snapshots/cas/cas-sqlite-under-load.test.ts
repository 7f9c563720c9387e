import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteAsset } from "../../state/sqlite/sqlite-asset.js";
import { integrityOf, meta, openCas, root } from "./cas-fixtures.test-support.js";

// The application: inserts, updates and deletes in small transactions about every ms, so
// pages change, split and move while the snapshot is taken. Prints "ready" after its first commit.
const APP = `
import Database from "better-sqlite3";
const db = new Database(process.argv[1], { timeout: 5000 });
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
const insert = db.prepare("INSERT INTO orders (item, note) VALUES (?, ?)");
const update = db.prepare("UPDATE orders SET note = ? WHERE id = ?");
const remove = db.prepare("DELETE FROM orders WHERE id = ?");
const batch = db.transaction((n) => {
  for (let i = 0; i < 20; i++) insert.run("item-" + n + "-" + i, "x".repeat((n * 7 + i) % 900));
  update.run("u".repeat(n % 500), 1 + ((n * 31) % 5000));
  remove.run(1 + ((n * 17) % 5000));
});
for (let n = 0; ; n++) {
  batch(n);
  if (n === 0) process.stdout.write("ready\\n");
  await new Promise((r) => setTimeout(r, 1));
}
`;

describe("a SQLite snapshot taken while the application writes", () => {
  let work: string;
  let dbPath: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "shipsafe-cas-load-"));
    dbPath = join(work, "orders.db");
    const db = new Database(dbPath);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, note TEXT)");
    db.exec("CREATE INDEX orders_item ON orders (item)");
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO orders (item, note) SELECT 'seed-' || i, hex(randomblob(100)) FROM n;`);
    db.close();
  });
  afterEach(() => rm(work, { recursive: true, force: true }));

  const rowsIn = (path: string): number => {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT count(*) FROM orders").pluck().get() as number;
    } finally {
      db.close();
    }
  };

  it("passes PRAGMA integrity_check after restoreInto and after restore", async () => {
    const app = spawn(process.execPath, ["--input-type=module", "-e", APP, dbPath], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((r) => app.once("exit", r));
    try {
      await new Promise<void>((resolve, reject) => {
        app.stdout.once("data", () => resolve());
        app.once("exit", (code) => reject(new Error(`the writer exited with ${code}`)));
      });
      const asset = createSqliteAsset({ name: "orders", path: dbPath });
      const { store } = await openCas(join(work, "cas"));
      const counts: number[] = [];
      const snapshots = [];
      for (let i = 0; i < 4; i++) {
        await sleep(150);
        const snapshot = await store.create(meta, [asset]);
        snapshots.push(snapshot);
        const tables = snapshot.assets[0]?.details.tables as Record<string, number>;
        counts.push(tables.orders as number);
        expect((await store.verify(snapshot.id)).problems).toEqual([]);
        const sandbox = join(work, `sandbox-${i}`);
        const [report] = await store.restoreInto(snapshot.id, [asset], sandbox);
        expect(report?.checks.filter((c) => !c.ok)).toEqual([]);
        const copy = join(sandbox, "orders", "orders.sqlite");
        expect(integrityOf(copy)).toBe("ok");
        expect(rowsIn(copy)).toBe(tables.orders);
      }
      // The application really was writing throughout.
      expect(new Set(counts).size).toBe(counts.length);
      expect(app.exitCode).toBeNull();

      // A restore needs the application stopped (the rollback plan's stop step).
      app.kill("SIGKILL");
      await exited;
      const target = snapshots[1];
      if (target === undefined) throw new Error("no snapshot");
      await store.restore(target.id, [asset]);
      expect(integrityOf(dbPath)).toBe("ok");
      expect(rowsIn(dbPath)).toBe(counts[1]);
    } finally {
      app.kill("SIGKILL");
      await exited;
    }
  });
});

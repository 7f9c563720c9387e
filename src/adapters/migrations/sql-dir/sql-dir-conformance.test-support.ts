import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../ports/progress.js";
import { createSqlDirMigrationRunner } from "./sql-dir-runner.js";
import type { TrackingDatabase } from "./tracking-database.js";

/** A fresh, empty database of the kind under test, with a way to look into it. */
export interface TestDatabase {
  readonly database: TrackingDatabase;
  /** Column names of a table ([] when it does not exist). */
  columns(table: string): Promise<string[]>;
  /** Rows of the tracking table: id, checksum, down SQL. */
  tracked(): Promise<{ id: string; checksum: string; downSql: string | null }[]>;
}

const INIT = "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL);";
const EMAIL = "ALTER TABLE orders ADD COLUMN email TEXT;";
const NOTE = "ALTER TABLE orders ADD COLUMN note TEXT;";

/**
 * The behaviour every `sql-dir` database must show (run against real SQLite files and a real
 * PostgreSQL cluster): ordered apply, tracking rows, recorded downs, atomic failures, refusals.
 */
export function sqlDirConformance(kind: string, fresh: () => Promise<TestDatabase>): void {
  describe(`sql-dir migrations on ${kind}`, () => {
    let work: string;
    let n = 0;
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), "shipsafe-sqldir-"));
    });
    afterAll(() => rm(work, { recursive: true, force: true }));

    /** A release directory shipping `files` in migrations/. */
    const release = async (files: Record<string, string>): Promise<string> => {
      n += 1;
      const dir = join(work, `release-${n}`);
      await mkdir(join(dir, "migrations"), { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        await writeFile(join(dir, "migrations", name), text);
      }
      return dir;
    };
    const base = {
      "0001_init.up.sql": INIT,
      "0001_init.down.sql": "DROP TABLE orders;",
      "0002_add_email.up.sql": EMAIL,
      "0002_add_email.down.sql": "ALTER TABLE orders DROP COLUMN email;",
    };

    it("applies pending migrations in order, records checksum and down SQL, reports the state", async () => {
      const db = await fresh();
      const runner = createSqlDirMigrationRunner({ dir: "migrations", database: db.database });
      const v1 = await release(base);
      expect(await runner.status(v1)).toEqual({
        head: null,
        applied: [],
        pending: ["0001_init", "0002_add_email"],
        unknownApplied: [],
        lastAppliedAt: null,
      });
      const events: ProgressEvent[] = [];
      const run = await runner.up(v1, { progress: { report: (e) => events.push(e) } });
      expect(run.migrations.map((m) => m.id)).toEqual(["0001_init", "0002_add_email"]);
      expect(run.head).toBe("0002_add_email");
      expect(events.filter((e) => e.type === "step-finished")).toMatchObject([
        { step: "migrate up 0001_init", status: "succeeded" },
        { step: "migrate up 0002_add_email", status: "succeeded" },
      ]);
      expect(await db.columns("orders")).toEqual(["id", "item", "email"]);
      expect(await db.tracked()).toEqual([
        { id: "0001_init", checksum: sha256(INIT), downSql: "DROP TABLE orders;" },
        {
          id: "0002_add_email",
          checksum: sha256(EMAIL),
          downSql: "ALTER TABLE orders DROP COLUMN email;",
        },
      ]);
      const state = await runner.status(v1);
      expect(state).toMatchObject({ head: "0002_add_email", pending: [], unknownApplied: [] });
      expect(state.lastAppliedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await runner.list(v1)).toEqual([
        { id: "0001_init", name: "init", hasDown: true },
        { id: "0002_add_email", name: "add_email", hasDown: true },
      ]);
      expect((await runner.up(v1)).migrations).toEqual([]);
    });

    it("stops at --to; reverts with the down SQL recorded at apply time, even when the release is gone", async () => {
      const db = await fresh();
      const runner = createSqlDirMigrationRunner({ dir: "migrations", database: db.database });
      const v2 = await release({
        ...base,
        "0003_add_note.up.sql": NOTE,
        "0003_add_note.down.sql": "ALTER TABLE orders DROP COLUMN note;",
      });
      const first = await runner.up(v2, { to: "0002_add_email" });
      expect(first.head).toBe("0002_add_email");
      expect((await runner.status(v2)).pending).toEqual(["0003_add_note"]);
      await runner.up(v2);
      expect(await db.columns("orders")).toEqual(["id", "item", "email", "note"]);

      // The old release ships only 0001/0002: 0003 is unknown to it, and its down comes from the table.
      const v1 = await release(base);
      expect((await runner.status(v1)).unknownApplied).toEqual(["0003_add_note"]);
      await rm(v2, { recursive: true });
      const reverted = await runner.down(v1, { count: 1 });
      expect(reverted).toMatchObject({ direction: "down", head: "0002_add_email" });
      expect(reverted.migrations.map((m) => m.id)).toEqual(["0003_add_note"]);
      expect(await db.columns("orders")).toEqual(["id", "item", "email"]);

      const all = await runner.down(v1, { to: null });
      expect(all.migrations.map((m) => m.id)).toEqual(["0002_add_email", "0001_init"]);
      expect(await db.columns("orders")).toEqual([]);
      expect(await db.tracked()).toEqual([]);
    });

    it("rolls a failing migration back whole: schema and tracking table unchanged", async () => {
      const db = await fresh();
      const runner = createSqlDirMigrationRunner({ dir: "migrations", database: db.database });
      const broken = await release({
        ...base,
        "0003_broken.up.sql": `${NOTE}\nINSERT INTO no_such_table VALUES (1);\n`,
      });
      const error = await runner.up(broken).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "MIGRATION_FAILED",
        message: expect.stringMatching(
          /^migration 0003_broken \(up\) failed and was rolled back: .*no_such_table.*\(applied before it in this run: 0001_init, 0002_add_email\)$/s,
        ),
      });
      expect(await db.columns("orders")).toEqual(["id", "item", "email"]);
      expect((await db.tracked()).map((r) => r.id)).toEqual(["0001_init", "0002_add_email"]);
      expect((await runner.status(broken)).pending).toEqual(["0003_broken"]);
    });

    it("refuses an applied migration whose up file changed, naming the file", async () => {
      const db = await fresh();
      const runner = createSqlDirMigrationRunner({ dir: "migrations", database: db.database });
      await runner.up(await release(base));
      const edited = await release({ ...base, "0002_add_email.up.sql": `${EMAIL}\n-- tweaked\n` });
      // One at a time: a second promise made up front rejects while the first is awaited, unhandled.
      for (const attempt of [() => runner.status(edited), () => runner.up(edited)]) {
        await expect(attempt()).rejects.toMatchObject({
          code: "MIGRATION_CHECKSUM_CHANGED",
          message: expect.stringContaining(
            `${join(edited, "migrations", "0002_add_email.up.sql")} was changed after it was applied`,
          ),
        });
      }
    });

    it("refuses a pending migration numbered below the head, and a down with no down SQL anywhere", async () => {
      const db = await fresh();
      const runner = createSqlDirMigrationRunner({ dir: "migrations", database: db.database });
      const withoutDown = {
        "0001_init.up.sql": INIT,
        "0002_add_email.up.sql": EMAIL,
      };
      await runner.up(await release(withoutDown));
      // Another branch's release that inserted 0002 and moved email to 0003.
      const reordered = await release({
        "0001_init.up.sql": INIT,
        "0002_other.up.sql": NOTE,
        "0003_add_email.up.sql": EMAIL,
      });
      await expect(runner.up(reordered)).rejects.toMatchObject({
        code: "MIGRATION_OUT_OF_ORDER",
        message: expect.stringContaining("0002_other is pending"),
      });
      await expect(runner.down(await release(withoutDown), { count: 1 })).rejects.toMatchObject({
        code: "MIGRATION_NO_DOWN",
      });
      expect(await db.columns("orders")).toEqual(["id", "item", "email"]);
    });
  });
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpenedAsset } from "../../../ports/state-asset.js";
import { createSqliteAsset } from "./sqlite-asset.js";
import {
  countEvents,
  inspectCopy,
  startWriter,
  stopWriters,
} from "./sqlite-writer.test-support.js";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-sqlite-held-"));
});
afterEach(async () => {
  stopWriters();
  await rm(work, { recursive: true, force: true });
});

function makeDb(path: string, journalMode: "wal" | "delete"): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
           CREATE INDEX events_body ON events (body);
           CREATE TABLE padding (b BLOB); PRAGMA user_version = 3;`);
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
           INSERT INTO padding SELECT randomblob(3000) FROM n`);
  db.close();
}

/** Reads the opened database's one file whole, in odd-sized reads, and writes it to `to`. */
async function readAll(opened: OpenedAsset, to: string): Promise<Buffer> {
  const [file] = opened.manifest.files;
  if (!file) throw new Error("no file");
  const source = await opened.openFile(file.path);
  const out = Buffer.alloc(file.size + 10_000);
  let at = 0;
  for (;;) {
    const n = await source.read(out, at, 7_777);
    if (n === 0) break;
    at += n;
  }
  await source.close();
  const bytes = out.subarray(0, at);
  await writeFile(to, bytes);
  return bytes;
}

describe("sqlite asset read in place (open)", () => {
  for (const mode of ["wal", "delete"] as const) {
    it(`reads one consistent view of the live file while another process writes (${mode})`, async () => {
      const live = join(work, "app.db");
      makeDb(live, mode);
      const child = await startWriter(live, work);

      const asset = createSqliteAsset({ name: "main", path: live });
      const before = countEvents(live);
      const opened = await asset.open?.();
      if (!opened) throw new Error("open gave no in-place read");
      let read = 0;
      try {
        // Held: the application keeps committing (WAL) while the view stays the same.
        await sleep(100);
        const bytes = await readAll(opened, join(work, "copy.db"));
        read = bytes.length;
        // Stands alone: the header says rollback journal, as a backup copy switched to DELETE.
        expect([bytes[18], bytes[19]]).toEqual([1, 1]);
      } finally {
        await opened.release();
      }
      const after = countEvents(live);
      child.kill("SIGKILL");

      const { integrity, events: copied } = inspectCopy(join(work, "copy.db"));
      expect(integrity).toBe("ok");
      expect(copied).toBeGreaterThanOrEqual(before);
      expect(copied).toBeLessThanOrEqual(after);
      if (mode === "wal") expect(after).toBeGreaterThan(copied);
      expect(opened.manifest.details).toEqual({
        schemaVersion: 3,
        tables: { events: copied, padding: 1500 },
        journalMode: mode,
      });
      expect(opened.manifest.files).toEqual([{ path: "main.sqlite", size: read, sha256: "" }]);
      expect(read % 4096).toBe(0);
    });
  }

  /**
   * A WAL database where a reader holds a view older than the last commit, so no checkpoint can
   * copy every frame until `endOldView`; `body` runs with it, then both connections close.
   */
  async function withOldView(
    body: (live: string, endOldView: () => void) => Promise<void>,
  ): Promise<void> {
    const live = join(work, "app.db");
    makeDb(live, "wal");
    const oldReader = new Database(live, { readonly: true });
    const writer = new Database(live);
    try {
      oldReader.exec("BEGIN");
      oldReader.prepare("SELECT count(*) FROM events").pluck().get();
      writer.prepare("INSERT INTO events (body) VALUES ('after the old view')").run();
      await body(live, () => oldReader.exec("COMMIT"));
    } finally {
      oldReader.close();
      writer.close();
    }
  }

  it("tries the checkpoint again while it is busy for a moment, and then reads in place", async () => {
    await withOldView(async (live, endOldView) => {
      // The old view ends a moment after the first attempt, as an application's own checkpoint does.
      const ended = sleep(25).then(endOldView);
      const opened = await createSqliteAsset({ name: "main", path: live }).open?.();
      await ended;
      expect(opened?.manifest.details.tables).toEqual({ events: 1, padding: 1500 });
      await opened?.release();
    });
  });

  it("gives no in-place read while another reader holds frames the checkpoint cannot copy", async () => {
    await withOldView(async (live, endOldView) => {
      const asset = createSqliteAsset({ name: "main", path: live });
      expect(await asset.open?.()).toBeUndefined();
      // The fallback still captures the newest committed state.
      endOldView();
      const opened = await asset.open?.();
      expect(opened?.manifest.details.tables).toEqual({ events: 1, padding: 1500 });
      await opened?.release();
    });
  });
});

import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModule } from "../../../../test/helpers/built-module.js";
import { openDirSnapshotStore } from "./dir-snapshot-store.js";

const run = promisify(execFile);
const MB = 1024 * 1024;

// The worker runs the built store and asset (dist/, built by the global setup).
const workerSource = (store: string, asset: string) => `
import { openDirSnapshotStore } from "${store}";
import { createSqliteAsset } from "${asset}";
const [stateDir, db] = process.argv.slice(2);
const store = await openDirSnapshotStore(stateDir);
const started = performance.now();
const manifest = await store.create(
  { env: "prod", service: "shop", reason: "crash-test" },
  [createSqliteAsset({ name: "main", path: db })],
);
process.stdout.write(JSON.stringify({ id: manifest.id, ms: performance.now() - started }));
`;

describe("a snapshot process killed mid-way", () => {
  let buildDir: string;
  let work: string;
  let db: string;
  let worker: string;

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), "shipsafe-snapshot-worker-"));
    work = await mkdtemp(join(tmpdir(), "shipsafe-crash-"));
    worker = join(buildDir, "worker.mjs");
    await writeFile(
      worker,
      workerSource(
        await builtModule("adapters/snapshots/dir/dir-snapshot-store.ts"),
        await builtModule("adapters/state/sqlite/sqlite-asset.ts"),
      ),
    );

    // About 50 MB, written in one transaction.
    db = join(work, "app.db");
    const live = new Database(db);
    live.pragma("journal_mode = WAL");
    live.exec(`CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6400)
      INSERT INTO blobs (b) SELECT randomblob(8192) FROM n;`);
    live.close();
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it("leaves nothing that list shows or verify trips on", async () => {
    // A complete run first, to know how long one takes.
    const full = join(work, "full");
    const { stdout } = await run(process.execPath, [worker, full, db]);
    const { id, ms } = JSON.parse(stdout) as { id: string; ms: number };
    const fullStore = await openDirSnapshotStore(full);
    const [manifest] = await fullStore.list();
    expect(manifest?.id).toBe(id);
    expect(manifest?.size).toBeGreaterThan(50 * MB);
    expect((await fullStore.verify(id)).ok).toBe(true);
    console.info(
      `snapshot of a ${(manifest?.size ?? 0) / MB} MB database took ${ms.toFixed(0)} ms`,
    );

    // Then kill runs at points spread over that time, once the temporary directory exists.
    const stateDir = join(work, "killed");
    const snapshots = join(stateDir, "snapshots");
    const fractions = [0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75];
    for (const fraction of fractions) {
      const before = new Set(await readdir(snapshots).catch(() => []));
      const child = spawn(process.execPath, [worker, stateDir, db], { stdio: "ignore" });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      let appeared = false;
      while (!appeared && child.exitCode === null) {
        const names = await readdir(snapshots).catch(() => [] as string[]);
        appeared = names.some((name) => name.startsWith(".tmp-") && !before.has(name));
        if (!appeared) await sleep(1);
      }
      await sleep(ms * fraction);
      child.kill("SIGKILL");
      await exited;
    }

    const store = await openDirSnapshotStore(stateDir);
    const listed = await store.list();
    for (const snapshot of listed) expect((await store.verify(snapshot.id)).ok).toBe(true);
    const leftovers = (await readdir(snapshots)).filter((name) => name.startsWith(".tmp-"));
    // Each run either finished (listed, and verified above) or left only a .tmp dir. A run may
    // finish before its kill lands: the full run that timed the kills was a cold-cache one.
    expect(leftovers.length + listed.length).toBe(fractions.length);
    expect(leftovers.length).toBeGreaterThan(0);
  });
});

import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDirSnapshotStore } from "./dir-snapshot-store.js";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../../..");
const MB = 1024 * 1024;

// The store and the asset are compiled (only the files the worker needs, so others' work in
// progress cannot break this test) into node_modules/.cache, where `better-sqlite3` resolves from
// the project's node_modules.
const WORKER = `
import { openDirSnapshotStore } from "./out/adapters/snapshots/dir/dir-snapshot-store.js";
import { createSqliteAsset } from "./out/adapters/state/sqlite/sqlite-asset.js";
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
    await mkdir(join(root, "node_modules/.cache"), { recursive: true });
    buildDir = await mkdtemp(join(root, "node_modules/.cache/shipsafe-snapshots-"));
    work = await mkdtemp(join(tmpdir(), "shipsafe-crash-"));
    const tsconfig = {
      extends: join(root, "tsconfig.json"),
      compilerOptions: {
        noEmit: false,
        rootDir: join(root, "src"),
        outDir: join(buildDir, "out"),
        sourceMap: false,
      },
      files: [
        join(root, "src/adapters/snapshots/dir/dir-snapshot-store.ts"),
        join(root, "src/adapters/state/sqlite/sqlite-asset.ts"),
      ],
      include: [],
    };
    await writeFile(join(buildDir, "tsconfig.json"), JSON.stringify(tsconfig));
    await writeFile(join(buildDir, "package.json"), '{"type":"module"}');
    worker = join(buildDir, "worker.mjs");
    await writeFile(worker, WORKER);
    await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", buildDir]);

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
    expect(leftovers.length + listed.length).toBe(fractions.length);
    expect(listed).toEqual([]);
  });
});

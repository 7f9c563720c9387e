import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appAssets,
  builtModule,
  integrityOf,
  makeBlobDb,
  meta,
  openCas,
} from "./cas-fixtures.test-support.js";

const run = promisify(execFile);
const MB = 1024 * 1024;
const RUNS = 20;

// The child opens the store exactly as composition/environment.ts does, from the built dist/.
const workerSource = (m: Record<string, string>) => `
import { join } from "node:path";
import { createCodec } from ${JSON.stringify(m.codec)};
import { openLocalPackStore } from ${JSON.stringify(m.packs)};
import { openCasSnapshotStore } from ${JSON.stringify(m.cas)};
import { createFilesAsset } from ${JSON.stringify(m.files)};
import { createSqliteAsset } from ${JSON.stringify(m.sqlite)};
const [casRoot, appDir] = process.argv.slice(2);
const objects = await openLocalPackStore(join(casRoot, "objects"));
const store = await openCasSnapshotStore(casRoot, { objects, codec: createCodec() });
const started = performance.now();
const manifest = await store.create({ env: "production", service: "shop", reason: "crash-test" }, [
  createSqliteAsset({ name: "db", path: join(appDir, "app.db") }),
  createFilesAsset({ name: "config", paths: [join(appDir, "config")], baseDir: appDir }),
]);
process.stdout.write(JSON.stringify({ id: manifest.id, ms: performance.now() - started }));
`;

type KillMode = "timer" | "staging" | "pack-tmp" | "late";

describe("SIGKILL during create of a content-addressed snapshot", () => {
  let work: string;
  let appDir: string;
  let casRoot: string;
  let worker: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "shipsafe-cas-crash-"));
    appDir = join(work, "app");
    casRoot = join(work, "state", "cas");
    await mkdir(join(appDir, "config", "nested"), { recursive: true });
    makeBlobDb(join(appDir, "app.db"), 5000); // ~41 MB of incompressible pages
    for (let i = 0; i < 40; i++) {
      await writeFile(
        join(appDir, "config", i % 2 ? "nested" : "", `c${i}.yaml`),
        `name: c${i}\n${"v".repeat(i * 997)}\n`,
      );
    }
    const modules = {
      codec: await builtModule("adapters/codec/codec.ts"),
      packs: await builtModule("adapters/objects/local-packs/local-pack-store.ts"),
      cas: await builtModule("adapters/snapshots/cas/cas-snapshot-store.ts"),
      files: await builtModule("adapters/state/files/files-asset.ts"),
      sqlite: await builtModule("adapters/state/sqlite/sqlite-asset.ts"),
    };
    worker = join(work, "worker.mjs");
    await writeFile(worker, workerSource(modules));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  /** Rewrites about a quarter of the rows and one config file, so the next create stores new chunks. */
  const mutate = async (round: number): Promise<void> => {
    const db = new Database(join(appDir, "app.db"));
    try {
      db.prepare("UPDATE blobs SET b = randomblob(8192) WHERE id % 4 = ?").run(round % 4);
      db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
    await writeFile(join(appDir, "config", "c0.yaml"), `round: ${round}\n`);
  };

  const appeared = async (dir: string, before: Set<string>): Promise<boolean> => {
    const names = await readdir(dir).catch(() => [] as string[]);
    return names.some((name) => name.startsWith(".tmp-") && !before.has(name));
  };

  it(`leaves only complete snapshots over ${RUNS} killed runs; older ones verify and restore`, async () => {
    // An older snapshot, complete, taken in this process.
    const { store: first } = await openCas(casRoot);
    const older = await first.create(meta, appAssets(appDir));
    expect(older.size).toBeGreaterThan(30 * MB);
    const olderRows = (older.assets[0]?.details.tables as Record<string, number> | undefined)
      ?.blobs;

    // One complete run of the child, to know how long a create takes.
    await mutate(0);
    const startedAt = performance.now();
    const { stdout } = await run(process.execPath, [worker, casRoot, appDir]);
    const wallMs = performance.now() - startedAt;
    const full = JSON.parse(stdout) as { id: string; ms: number };
    console.info(
      `a complete create of ${(older.size / MB).toFixed(0)} MB took ${full.ms.toFixed(0)} ms (${wallMs.toFixed(0)} ms with start-up)`,
    );

    const stagingDir = join(casRoot, "staging");
    const packTmpDirs = join(casRoot, "objects", "packs");
    const trace: string[] = [];
    let completed = 0;
    let killedVisible = 0;
    for (let round = 1; round <= RUNS; round++) {
      await mutate(round);
      const { store } = await openCas(casRoot);
      const beforeIds = new Set((await store.list()).map((s) => s.id));
      const beforeStaging = new Set(await readdir(stagingDir));
      const beforePacks = new Set(await readdir(packTmpDirs));
      const mode = (["timer", "staging", "pack-tmp", "late"] as const)[round % 4] as KillMode;

      const child = spawn(process.execPath, [worker, casRoot, appDir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      let delay: number;
      if (mode === "timer" || mode === "late") {
        // "late" aims at the end of a run: the last pack, the index, the chunk list, the manifest.
        delay = mode === "timer" ? 20 + Math.random() * 580 : wallMs * (0.8 + Math.random() * 0.8);
        await sleep(delay);
      } else {
        const dir = mode === "staging" ? stagingDir : packTmpDirs;
        const seen = mode === "staging" ? beforeStaging : beforePacks;
        while (child.exitCode === null && !(await appeared(dir, seen))) await sleep(1);
        delay = Math.random() * (mode === "staging" ? 300 : 60);
        await sleep(delay);
      }
      child.kill("SIGKILL");
      const code = await exited;
      const finished = code === 0 && out !== "";
      const reported = finished ? (JSON.parse(out) as { id: string }).id : undefined;
      if (finished) completed++;

      const { store: after } = await openCas(casRoot);
      const listed = await after.list();
      const fresh = listed.filter((s) => !beforeIds.has(s.id));
      trace.push(`${round} ${mode} +${delay.toFixed(0)}ms exit=${code} new=${fresh.length}`);
      const context = trace.join("\n");
      // All or nothing: at most the one new snapshot, and it is there if the child said so.
      expect(fresh.length, context).toBeLessThanOrEqual(1);
      if (reported !== undefined)
        expect(
          fresh.map((s) => s.id),
          context,
        ).toEqual([reported]);
      if (reported === undefined && fresh.length === 1) killedVisible++;
      for (const snapshot of fresh) {
        expect(snapshot.size, context).toBeGreaterThan(30 * MB);
        const verification = await after.verify(snapshot.id);
        expect(verification.problems, context).toEqual([]);
      }
    }
    console.info(
      `${RUNS} killed runs: ${completed} finished before the kill, ${killedVisible} killed after publishing\n${trace.join("\n")}`,
    );

    // Afterwards: every listed snapshot verifies; the older one restores into a sandbox.
    const { store, objects } = await openCas(casRoot);
    const listed = await store.list();
    expect(listed.map((s) => s.id)).toContain(older.id);
    expect(listed.map((s) => s.id)).toContain(full.id);
    for (const snapshot of listed) expect((await store.verify(snapshot.id)).problems).toEqual([]);
    const sandbox = join(work, "sandbox");
    const reports = await store.restoreInto(older.id, appAssets(appDir), sandbox);
    expect(reports.map((r) => r.ok)).toEqual([true, true]);
    expect(integrityOf(join(sandbox, "db", "db.sqlite"))).toBe("ok");
    const restoredDb = new Database(join(sandbox, "db", "db.sqlite"), { readonly: true });
    expect(restoredDb.prepare("SELECT count(*) FROM blobs").pluck().get()).toBe(olderRows);
    restoredDb.close();
    expect(await readFile(join(sandbox, "config", "config", "c0.yaml"), "utf8")).toMatch(
      /^name: c0/,
    );

    // Garbage collection after the killed writers leaves a sound store that still holds them all,
    // and frees the plain copies killed runs left in staging once they are old enough.
    const leftovers = await readdir(stagingDir);
    expect(leftovers.length).toBeGreaterThan(0);
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const name of leftovers) await utimes(join(stagingDir, name), hourAgo, hourAgo);
    await store.collectGarbage();
    expect(await readdir(stagingDir)).toEqual([]);
    const check = await objects.check();
    expect(check.bad).toEqual([]);
    expect(check.ok).toBe(true);
    const strayPackTemps = (await readdir(packTmpDirs, { recursive: true })).filter((f) =>
      f.includes(".tmp-"),
    );
    expect(strayPackTemps).toEqual([]);
    const { store: reopened } = await openCas(casRoot);
    for (const snapshot of listed) {
      expect((await reopened.verify(snapshot.id)).problems).toEqual([]);
    }
  }, 240_000);
});

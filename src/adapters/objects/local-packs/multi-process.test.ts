import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModule } from "../../../../test/helpers/built-module.js";
import { openLocalPackStore } from "./local-pack-store.js";

const run = promisify(execFile);

// Real processes on one store: the workers run the built adapter (dist/). Blob `b`/`j` of a worker is a
// pure function of (seed, b, j), so the test can recompute exactly what each batch holds.
const workerSource = (store: string) => `
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import { openLocalPackStore } from "${store}";
const [dir, seed, firstBatch, batches, perBatch, log] = process.argv.slice(2);
const store = await openLocalPackStore(dir);
for (let b = Number(firstBatch); b < Number(firstBatch) + Number(batches); b++) {
  const writer = await store.writer({ packSize: 64 * 1024 });
  for (let j = 0; j < Number(perBatch); j++) {
    const data = blobData(seed, b, j);
    await writer.add(createHash("sha256").update(data).digest("hex"), data);
  }
  await writer.commit();
  appendFileSync(log, b + "\\n");
}
function blobData(seed, b, j) {
  const head = createHash("sha256").update(seed + "/" + b + "/" + j).digest();
  const out = Buffer.alloc(500 + head[0] * 20);
  for (let at = 0; at < out.length; at += 32) head.copy(out, at);
  return out;
}
`;

function blobData(seed: string, b: number, j: number): Buffer {
  const head = createHash("sha256").update(`${seed}/${b}/${j}`).digest();
  const out = Buffer.alloc(500 + (head[0] as number) * 20);
  for (let at = 0; at < out.length; at += 32) head.copy(out, at);
  return out;
}

function batchIds(seed: string, b: number, perBatch: number): string[] {
  return Array.from({ length: perBatch }, (_, j) =>
    createHash("sha256")
      .update(blobData(seed, b, j))
      .digest("hex"),
  );
}

async function committedBatches(log: string): Promise<number[]> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map(Number);
}

describe("several processes on one local pack store", () => {
  let buildDir: string;
  let worker: string;

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), "shipsafe-packs-worker-"));
    worker = join(buildDir, "worker.mjs");
    await writeFile(
      worker,
      workerSource(await builtModule("adapters/objects/local-packs/local-pack-store.ts")),
    );
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
  });

  it("survives SIGKILL at random points: opens, checks ok, shows only committed batches", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shipsafe-packs-kill-"));
    const log = join(dir, "..", `${dir.split("/").pop()}.log`);
    const perBatch = 150;
    try {
      for (let runNo = 0; runNo < 15; runNo++) {
        const done = await committedBatches(log);
        const next = done.length === 0 ? 0 : Math.max(...done) + 1;
        const child: ChildProcess = spawn(process.execPath, [
          worker,
          dir,
          "kill",
          String(next),
          "50",
          String(perBatch),
          log,
        ]);
        const exited = new Promise((r) => child.once("exit", r));
        await sleep(80 + Math.random() * 400);
        child.kill("SIGKILL");
        await exited;

        const recorded = await committedBatches(log);
        const store = await openLocalPackStore(dir);
        const check = await store.check();
        expect(check.bad).toEqual([]);
        expect(check.ok).toBe(true);
        const visible = new Set<string>();
        for await (const id of store.ids()) visible.add(id);
        const last = recorded.length === 0 ? -1 : Math.max(...recorded);
        const required = new Set<string>();
        for (let b = 0; b <= last; b++)
          for (const id of batchIds("kill", b, perBatch)) required.add(id);
        // The batch in flight may have committed just before the kill, before it was logged.
        const allowed = new Set([...required, ...batchIds("kill", last + 1, perBatch)]);
        for (const id of required) expect(visible.has(id)).toBe(true);
        for (const id of visible) expect(allowed.has(id)).toBe(true);
        if (visible.size > required.size) {
          // Then that batch is whole.
          expect(visible.size).toBe(required.size + perBatch);
          await writeFile(log, `${[...recorded, last + 1].join("\n")}\n`);
        }
      }
      // Unindexed packs and temp files of the killed writers are garbage that prune removes.
      const store = await openLocalPackStore(dir);
      const ids = new Set<string>();
      for await (const id of store.ids()) ids.add(id);
      await store.prune(ids);
      const stray = (await readdir(join(dir, "packs"), { recursive: true })).filter((f) =>
        f.includes(".tmp-"),
      );
      expect(stray).toEqual([]);
      expect((await store.check()).ok).toBe(true);
      expect((await store.stats()).blobs).toBe(ids.size);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(log, { force: true });
    }
  });

  it("two processes writing overlapping blobs concurrently leave a store that checks ok", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shipsafe-packs-two-"));
    try {
      const log = join(dir, "log");
      // Same seed: both write the same batches (racing to dedup), plus a private seed each.
      await Promise.all([
        run(process.execPath, [worker, dir, "shared", "0", "4", "200", log]),
        run(process.execPath, [worker, dir, "shared", "0", "4", "200", log]),
        run(process.execPath, [worker, dir, "own-a", "0", "3", "200", log]),
        run(process.execPath, [worker, dir, "own-b", "0", "3", "200", log]),
      ]);
      const store = await openLocalPackStore(dir);
      const check = await store.check();
      expect(check.ok).toBe(true);
      expect(check.blobs).toBe(200 * (4 + 3 + 3));
      for (const [seed, batches] of [
        ["shared", 4],
        ["own-a", 3],
        ["own-b", 3],
      ] as const) {
        for (let b = 0; b < batches; b++) {
          const ids = batchIds(seed, b, 200);
          let j = 0;
          for await (const blob of store.getMany(ids)) {
            expect(Buffer.from(blob.data).equals(blobData(seed, b, j++))).toBe(true);
          }
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

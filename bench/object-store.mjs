// Benchmark: 260,000 random 4 KiB blobs (a 1 GiB SQLite database's pages, ~1 GiB) through one pack
// writer, commit, reopen, read all with getMany — against a baseline in the same run: the same
// bytes written sequentially into one file with fs.write + fsync (the disk's own speed) and read
// back. Runs against the build: `npx tsc -p tsconfig.build.json && node bench/object-store.mjs
// [blobs] [--pack-size=MiB]`.
import { createHash, randomFillSync } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openLocalPackStore } from "../dist/adapters/objects/local-packs/local-pack-store.js";

const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 260_000);
const packMiB = Number(process.argv.find((a) => a.startsWith("--pack-size="))?.split("=")[1] ?? 32);
const SIZE = 4096;
const dir = await mkdtemp(join(tmpdir(), "shipsafe-bench-objects-"));
const mib = (count * SIZE) / 1024 / 1024;
const rssMiB = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

// Pre-generated: one buffer of random bytes, ids hashed up front (not timed).
const all = randomFillSync(Buffer.allocUnsafe(count * SIZE));
const ids = new Array(count);
for (let i = 0; i < count; i++) {
  ids[i] = createHash("sha256")
    .update(all.subarray(i * SIZE, (i + 1) * SIZE))
    .digest("hex");
}
const rssBefore = rssMiB();
const result = { blobs: count, blobBytes: SIZE, dataMiB: Math.round(mib), packMiB };
try {
  // Baseline: the same bytes into one file, 4 MiB writes, one fsync; then read back.
  const base = join(dir, "baseline.bin");
  let t = performance.now();
  const handle = await open(base, "w");
  for (let at = 0; at < all.length; at += 4 * 1024 * 1024) {
    await handle.write(all, at, Math.min(4 * 1024 * 1024, all.length - at));
  }
  await handle.sync();
  await handle.close();
  const baseWriteMs = performance.now() - t;
  t = performance.now();
  const reader = await open(base, "r");
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  while ((await reader.read(chunk, 0, chunk.length, null)).bytesRead > 0);
  await reader.close();
  const baseReadMs = performance.now() - t;
  await rm(base);

  const storeDir = join(dir, "store");
  t = performance.now();
  const store = await openLocalPackStore(storeDir);
  const writer = await store.writer({ packSize: packMiB * 1024 * 1024 });
  for (let i = 0; i < count; i++) await writer.add(ids[i], all.subarray(i * SIZE, (i + 1) * SIZE));
  const committed = await writer.commit();
  const writeMs = performance.now() - t;
  const rssAfterWrite = rssMiB();

  t = performance.now();
  const reopened = await openLocalPackStore(storeDir);
  const openMs = performance.now() - t;
  const rssAfterOpen = rssMiB();

  t = performance.now();
  let i = 0;
  let mismatches = 0;
  for await (const blob of reopened.getMany(ids)) {
    const expected = all.subarray(i * SIZE, (i + 1) * SIZE);
    if (blob.id !== ids[i] || !Buffer.from(blob.data).equals(expected)) mismatches++;
    i++;
  }
  const readMs = performance.now() - t;

  t = performance.now();
  const check = await reopened.check();
  const checkMs = performance.now() - t;

  // Dedup pass: the same blobs again through a new writer (a no-change snapshot).
  t = performance.now();
  const again = await reopened.writer();
  for (let k = 0; k < count; k++) await again.add(ids[k], all.subarray(k * SIZE, (k + 1) * SIZE));
  await again.commit();
  const dedupMs = performance.now() - t;

  const stats = await reopened.stats();
  const rate = (ms) => Math.round(mib / (ms / 1000));
  Object.assign(result, {
    packs: committed.packs,
    storedMiB: Math.round(stats.bytes / 1024 / 1024),
    baselineWriteMs: Math.round(baseWriteMs),
    baselineWriteMBps: rate(baseWriteMs),
    writeMs: Math.round(writeMs),
    writeMBps: rate(writeMs),
    writeOverBaseline: Number((writeMs / baseWriteMs).toFixed(2)),
    openMs: Math.round(openMs),
    baselineReadMs: Math.round(baseReadMs),
    readMs: Math.round(readMs),
    readMBps: rate(readMs),
    checkMs: Math.round(checkMs),
    checkOk: check.ok,
    dedupAllMs: Math.round(dedupMs),
    mismatches,
    rssMiB: {
      data: rssBefore,
      afterWrite: rssAfterWrite,
      afterReopen: rssAfterOpen,
      end: rssMiB(),
    },
  });
  console.log(JSON.stringify(result, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}

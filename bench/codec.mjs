// Benchmark: hash and compression candidates for the snapshot store, single thread, on three data
// kinds (the pages of a generated ~150 MB SQLite database, ~2,000 small config files, random
// bytes), at three granularities (4 KiB blobs one by one, 64 KiB groups, 1 MiB chunks), against a
// named baseline run in the same script: the system `zstd -3` binary on the same bytes.
//
//   node bench/codec.mjs [--quick] [--kinds sqlite,configs,random]
//
// Candidates that are not installed in the project are looked up in $CODEC_LAB/node_modules (a
// scratch dir where `npm i hash-wasm zstd-napi lz4-napi @bokuweb/zstd-wasm zstd-codec` was run);
// a candidate found nowhere is reported as "not installed". The dataset is generated once into
// $BENCH_DIR (default: <tmpdir>/shipsafe-codec-bench) and reused. The pool and chunking sections
// run the build (`npm run build` first); for the pool's workers to find a zstd-napi installed only
// in the scratch dir, also set NODE_PATH=$CODEC_LAB/node_modules.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import { prng } from "./lib/prng.mjs";

const root = resolve(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const kindsArg = process.argv[process.argv.indexOf("--kinds") + 1];
const kinds = process.argv.includes("--kinds")
  ? kindsArg.split(",")
  : ["sqlite", "configs", "random"];
const benchDir = process.env.BENCH_DIR ?? join(tmpdir(), "shipsafe-codec-bench");
const sampleBytes = (quick ? 8 : 48) * 1024 * 1024;
mkdirSync(benchDir, { recursive: true });

const projectRequire = createRequire(join(root, "package.json"));
const labRequire = process.env.CODEC_LAB
  ? createRequire(join(resolve(process.env.CODEC_LAB), "package.json"))
  : undefined;
function load(name) {
  for (const req of [projectRequire, labRequire]) {
    if (!req) continue;
    try {
      return req(name);
    } catch {}
  }
  return undefined;
}

// ---------- deterministic data ----------
const words =
  "order invoice customer shipped pending refund account payment address street city warehouse item quantity price discount coupon review rating delivery express standard priority note gift wrap return exchange".split(
    " ",
  );
function sentence(rand, n) {
  let out = "";
  for (let i = 0; i < n; i++) out += `${words[Math.floor(rand() * words.length)]} `;
  return out.trim();
}

function makeSqlite(path, targetMb) {
  const Database = projectRequire("better-sqlite3");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
      created_at TEXT NOT NULL, balance_cents INTEGER NOT NULL, bio TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
      status TEXT NOT NULL, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL, notes TEXT, score REAL);
    CREATE INDEX orders_user ON orders(user_id, created_at);
    CREATE INDEX orders_status ON orders(status, updated_at);
    CREATE TABLE events (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, kind TEXT NOT NULL,
      payload TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX events_order ON events(order_id, at);`);
  const rand = prng(42);
  const users = 200_000;
  const insUser = db.prepare("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)");
  const insOrder = db.prepare("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const insEvent = db.prepare("INSERT INTO events VALUES (?, ?, ?, ?, ?)");
  const t0 = Date.UTC(2024, 0, 1);
  const iso = (ms) => new Date(ms).toISOString();
  db.transaction(() => {
    for (let i = 1; i <= users; i++) {
      const at = t0 + Math.floor(rand() * 3e10);
      insUser.run(
        i,
        `user${i}.${Math.floor(rand() * 1e6)}@example.com`,
        `${sentence(rand, 2)} ${i}`,
        iso(at),
        Math.floor(rand() * 1e7),
        rand() < 0.6 ? sentence(rand, 5 + Math.floor(rand() * 20)) : null,
      );
    }
  })();
  const statuses = ["pending", "paid", "shipped", "delivered", "refunded", "cancelled"];
  let order = 0;
  let event = 0;
  const batch = db.transaction(() => {
    for (let k = 0; k < 50_000; k++) {
      order++;
      const at = t0 + Math.floor(rand() * 3e10);
      insOrder.run(
        order,
        1 + Math.floor(rand() * users),
        statuses[Math.floor(rand() * statuses.length)],
        Math.floor(rand() * 50_000),
        rand() < 0.8 ? "EUR" : "USD",
        iso(at),
        iso(at + Math.floor(rand() * 1e9)),
        rand() < 0.3 ? sentence(rand, 3 + Math.floor(rand() * 12)) : null,
        rand() * 5,
      );
      if (rand() < 0.5) {
        event++;
        insEvent.run(
          event,
          order,
          statuses[Math.floor(rand() * statuses.length)],
          JSON.stringify({
            by: `user${Math.floor(rand() * users)}`,
            ip: `10.0.${k % 256}.${order % 256}`,
            note: sentence(rand, 4),
          }),
          at,
        );
      }
    }
  });
  while (db.pragma("page_count", { simple: true }) * 4096 < targetMb * 1024 * 1024) batch();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

function makeConfigs(dir, count) {
  const rand = prng(7);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    let text;
    if (kind === 0) {
      text = `service: svc-${i}\nreplicas: ${1 + (i % 5)}\nimage: registry.example.com/team/svc-${i}:1.${i % 40}.${i % 7}\nenv:\n`;
      for (let j = 0; j < 20 + (i % 60); j++)
        text += `  - name: ${sentence(rand, 2).toUpperCase().replace(/ /g, "_")}_${j}\n    value: "${sentence(rand, 3)}"\n`;
    } else if (kind === 1) {
      const obj = {
        name: `svc-${i}`,
        routes: [],
        limits: { cpu: `${i % 4}00m`, memory: `${64 << (i % 4)}Mi` },
      };
      for (let j = 0; j < 10 + (i % 40); j++)
        obj.routes.push({
          path: `/${sentence(rand, 2).replace(/ /g, "/")}/${j}`,
          timeoutMs: 100 * (j % 30),
          retries: j % 3,
          tags: sentence(rand, 3).split(" "),
        });
      text = JSON.stringify(obj, null, 2);
    } else {
      const der = crypto.randomBytes(900 + (i % 800));
      text = `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
    }
    writeFileSync(
      join(dir, `config-${String(i).padStart(4, "0")}.${["yaml", "json", "pem"][kind]}`),
      text,
    );
  }
}

function dataset() {
  const sqlite = join(benchDir, "app.db");
  if (!existsSync(sqlite)) {
    const t = performance.now();
    makeSqlite(sqlite, quick ? 32 : 150);
    console.error(`generated ${sqlite} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const configs = join(benchDir, "configs");
  if (!existsSync(configs)) makeConfigs(configs, 2000);
  const random = join(benchDir, "random.bin");
  if (!existsSync(random)) writeFileSync(random, crypto.randomBytes(32 * 1024 * 1024));
  const configsTar = join(benchDir, "configs.tar");
  if (!existsSync(configsTar)) execFileSync("tar", ["-cf", configsTar, "-C", benchDir, "configs"]);
  return { sqlite, configs, configsTar, random };
}

/** A sample of `bytes` taken as 1 MiB stretches spread evenly over the file. */
function sample(buf, bytes) {
  if (buf.length <= bytes) return buf;
  const step = 1024 * 1024;
  const pieces = bytes / step;
  const stride = Math.floor(buf.length / step / pieces) * step;
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < pieces; i++) buf.copy(out, i * step, i * stride, i * stride + step);
  return out;
}

// ---------- candidates ----------
async function hashCandidates() {
  const list = [
    { name: "sha256 (node:crypto)", fn: (b) => crypto.hash("sha256", b, "hex") },
    {
      name: "sha512-256 (node:crypto)",
      fn: (b) => crypto.createHash("sha512-256").update(b).digest("hex"),
    },
    {
      name: "blake2b512 (node:crypto)",
      fn: (b) => crypto.createHash("blake2b512").update(b).digest("hex"),
    },
  ];
  const hw = load("hash-wasm");
  if (hw) {
    const h = await hw.createBLAKE3();
    list.push({ name: "blake3 (hash-wasm)", fn: (b) => h.init().update(b).digest("hex") });
  } else list.push({ name: "blake3 (hash-wasm)", missing: true });
  return list;
}

async function compressionCandidates() {
  const list = [];
  for (const level of [1, 6]) {
    const o = { level };
    list.push({
      name: `deflate-raw ${level}`,
      c: (b) => zlib.deflateRawSync(b, o),
      d: (b) => zlib.inflateRawSync(b),
    });
    list.push({
      name: `gzip ${level}`,
      c: (b) => zlib.gzipSync(b, o),
      d: (b) => zlib.gunzipSync(b),
    });
  }
  for (const q of [1, 2, 3, 4]) {
    const o = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: q } };
    list.push({
      name: `brotli q${q}`,
      c: (b) => zlib.brotliCompressSync(b, o),
      d: (b) => zlib.brotliDecompressSync(b),
    });
  }
  const zn = load("zstd-napi");
  if (zn) {
    for (const level of [1, 3]) {
      const cmp = new zn.Compressor();
      cmp.setParameters({ compressionLevel: level, checksumFlag: false });
      const dec = new zn.Decompressor();
      list.push({
        name: `zstd-napi ${level}`,
        c: (b) => cmp.compress(b),
        d: (b) => dec.decompress(b),
      });
    }
  } else list.push({ name: "zstd-napi", missing: true });
  const zw = load("@bokuweb/zstd-wasm");
  if (zw) {
    await zw.init();
    list.push({ name: "zstd-wasm 3", c: (b) => zw.compress(b, 3), d: (b) => zw.decompress(b) });
  } else list.push({ name: "@bokuweb/zstd-wasm", missing: true });
  const zc = load("zstd-codec");
  if (zc) {
    const simple = await new Promise((ok) => zc.ZstdCodec.run((z) => ok(new z.Simple())));
    list.push({
      name: "zstd-codec 3",
      c: (b) => simple.compress(b, 3),
      d: (b) => simple.decompress(b),
    });
  } else list.push({ name: "zstd-codec", missing: true });
  const lz = load("lz4-napi");
  if (lz)
    list.push({ name: "lz4-napi", c: (b) => lz.compressSync(b), d: (b) => lz.uncompressSync(b) });
  else list.push({ name: "lz4-napi", missing: true });
  return list;
}

// ---------- measuring ----------
function split(buf, size) {
  const out = [];
  for (let o = 0; o < buf.length; o += size)
    out.push(buf.subarray(o, Math.min(o + size, buf.length)));
  return out;
}
const mbps = (bytes, ms) => Math.round(bytes / 1048576 / (ms / 1000));

function timeHash(fn, blobs, bytes) {
  for (const b of blobs.slice(0, 50)) fn(b);
  const t = performance.now();
  for (const b of blobs) fn(b);
  return mbps(bytes, performance.now() - t);
}

function timeCodec(cand, blobs, bytes) {
  for (const b of blobs.slice(0, 20)) cand.d(cand.c(b));
  const out = new Array(blobs.length);
  let t = performance.now();
  let stored = 0;
  for (let i = 0; i < blobs.length; i++) {
    out[i] = cand.c(blobs[i]);
    stored += out[i].length;
  }
  const cMs = performance.now() - t;
  t = performance.now();
  for (const o of out) cand.d(o);
  const dMs = performance.now() - t;
  return { c: mbps(bytes, cMs), d: mbps(bytes, dMs), ratio: (bytes / stored).toFixed(2) };
}

function systemZstd(path) {
  // The goals in issue 4 are stated against Debian's `zstd -3` (single-threaded by default),
  // file to file as `tar | zstd -3 > out` would run.
  const zst = join(benchDir, "tmp.zst");
  const out = join(benchDir, "tmp.out");
  const run = (args) => {
    const t = performance.now();
    execFileSync("zstd", ["-q", "-f", ...args], { stdio: "ignore" });
    return performance.now() - t;
  };
  const bytes = statSync(path).size;
  const cMs = run(["-3", path, "-o", zst]);
  const dMs = run(["-d", zst, "-o", out]);
  const ratio = (bytes / statSync(zst).size).toFixed(2);
  rmSync(out);
  return { c: mbps(bytes, cMs), d: mbps(bytes, dMs), ratio };
}

// ---------- run ----------
const files = dataset();
const inputs = {
  sqlite: { path: files.sqlite, buf: readFileSync(files.sqlite) },
  // The config files are measured as the blobs a snapshot stores: one file = one blob.
  configs: { path: files.configsTar, buf: null },
  random: { path: files.random, buf: readFileSync(files.random) },
};
const configFiles = readdirSync(files.configs)
  .sort()
  .map((f) => readFileSync(join(files.configs, f)));

console.log(`# codec bench, node ${process.version}, sample ${sampleBytes >> 20} MiB/kind`);
console.log(`cpu sha_ni: ${readFileSync("/proc/cpuinfo", "utf8").includes("sha_ni")}`);
const hashes = await hashCandidates();
const codecs = await compressionCandidates();
for (const k of kinds) {
  const input = inputs[k];
  const base = k === "configs" ? Buffer.concat(configFiles) : sample(input.buf, sampleBytes);
  const granularities =
    k === "configs"
      ? [
          ["per file", configFiles],
          ["64 KiB groups", split(base, 65536)],
          ["1 MiB", split(base, 1048576)],
        ]
      : [
          ["4 KiB", split(base, 4096)],
          ["64 KiB", split(base, 65536)],
          ["1 MiB", split(base, 1048576)],
        ];
  const size = statSync(input.path).size;
  console.log(
    `\n## ${k}: ${(size / 1048576).toFixed(1)} MiB on disk, ${(base.length / 1048576).toFixed(1)} MiB measured`,
  );
  const z = systemZstd(input.path);
  console.log(
    `baseline: system zstd -3 (whole file, process incl.): compress ${z.c} MB/s, decompress ${z.d} MB/s, ratio ${z.ratio}`,
  );
  console.log(`\nhash MB/s | ${granularities.map((g) => g[0]).join(" | ")}`);
  for (const h of hashes) {
    if (h.missing) {
      console.log(`${h.name} | not installed`);
      continue;
    }
    console.log(
      `${h.name} | ${granularities.map(([, blobs]) => timeHash(h.fn, blobs, base.length)).join(" | ")}`,
    );
  }
  console.log(
    `\ncompression: compress MB/s / decompress MB/s / ratio | ${granularities.map((g) => g[0]).join(" | ")}`,
  );
  for (const c of codecs) {
    if (c.missing) {
      console.log(`${c.name} | not installed`);
      continue;
    }
    if (quick && /zstd-codec|brotli q[34]/.test(c.name) && k !== "configs") continue;
    const cells = granularities.map(([, blobs]) => {
      const r = timeCodec(c, blobs, base.length);
      return `${r.c} / ${r.d} / ${r.ratio}`;
    });
    console.log(`${c.name} | ${cells.join(" | ")}`);
  }
}

// ---------- the pool and the chunkers, from the build (npm run build) ----------
const distPool = join(root, "dist/adapters/codec/codec-pool.js");
if (!existsSync(distPool)) {
  console.log("\n(pool and chunking sections skipped: run `npm run build` first)");
  process.exit(0);
}
const { createCodecPool } = await import(distPool);
const { fixedChunks } = await import(join(root, "dist/domain/chunking/fixed-chunks.js"));
const { cdcChunks, defaultCdcParams } = await import(
  join(root, "dist/domain/chunking/fast-cdc.js")
);
const db = inputs.sqlite.buf;
// The workers load zstd-napi from dist/ (or $NODE_PATH); without it the pool runs brotli 2.
const workerHasZstd = (() => {
  try {
    createRequire(distPool)("zstd-napi");
    return true;
  } catch {
    return false;
  }
})();
const poolCodec = workerHasZstd
  ? { hash: "sha256", compression: "zstd", level: 3 }
  : { hash: "sha256", compression: "brotli", level: 2 };
console.log(
  `\n## pool: whole sqlite file (${(db.length / 1048576).toFixed(1)} MiB), sha256 per 4 KiB page + ${poolCodec.compression} ${poolCodec.level} in 256 KiB frames`,
);
// Other work on the machine steals cores: each setting runs 3 times, alternating, best kept.
console.log("workers | MB/s (best of 3) | all runs | stored ratio | peak in-flight MiB");
async function poolRun(workers) {
  const pool = createCodecPool({ workers, codec: poolCodec, maxInFlightBytes: 16 * 1048576 });
  await (await pool.submit({ data: new Uint8Array(4096), cuts: [4096], hash: true })).result;
  const pending = [];
  let stored = 0;
  const t = performance.now();
  for (let at = 0; at < db.length; at += 262144) {
    const data = Uint8Array.from(db.subarray(at, Math.min(at + 262144, db.length)));
    const cuts = fixedChunks(data.length, 4096);
    const all = cuts.map((_, i) => i);
    const { result } = await pool.submit({
      data,
      cuts,
      hash: true,
      compress: all,
      framing: "frame",
    });
    pending.push(result.then((r) => (stored += r.compressed[0].length)));
  }
  await Promise.all(pending);
  const speed = mbps(db.length, performance.now() - t);
  await pool.close();
  return { speed, ratio: (db.length / stored).toFixed(2), peak: pool.peakInFlightBytes };
}
const poolRuns = { 1: [], 2: [] };
for (let rep = 0; rep < 3; rep++) for (const w of [1, 2]) poolRuns[w].push(await poolRun(w));
for (const w of [1, 2]) {
  const runs = poolRuns[w];
  const best = Math.max(...runs.map((r) => r.speed));
  const peak = Math.max(...runs.map((r) => r.peak)) / 1048576;
  console.log(
    `${w} | ${best} | ${runs.map((r) => r.speed).join(", ")} | ${runs[0].ratio} | ${peak.toFixed(1)}`,
  );
}

// Dedup after updating 1% of the rows at random: bytes of chunks not already stored.
console.log("\n## chunking: bytes that a snapshot after a 1% random-row update adds");
const updated = join(benchDir, "app-updated.db");
writeFileSync(updated, db);
{
  const Database = projectRequire("better-sqlite3");
  const u = new Database(updated);
  const rand = prng(99);
  const rows = u.prepare("SELECT max(id) AS n FROM orders").get().n;
  const upd = u.prepare(
    "UPDATE orders SET status = ?, amount_cents = ?, updated_at = ? WHERE id = ?",
  );
  u.transaction(() => {
    for (let i = 0; i < rows / 100; i++)
      upd.run(
        "refunded",
        Math.floor(rand() * 5e4),
        new Date().toISOString(),
        1 + Math.floor(rand() * rows),
      );
  })();
  u.pragma("wal_checkpoint(TRUNCATE)");
  u.close();
}
const after = readFileSync(updated);
const pageSize = db.readUInt16BE(16) === 1 ? 65536 : db.readUInt16BE(16);
const key = (buf, s, e) => crypto.hash("sha256", buf.subarray(s, e), "hex");
function added(cutter) {
  const have = new Set();
  let s = 0;
  for (const e of cutter(db)) {
    have.add(key(db, s, e));
    s = e;
  }
  let bytes = 0;
  let chunks = 0;
  s = 0;
  for (const e of cutter(after)) {
    if (!have.has(key(after, s, e))) {
      bytes += e - s;
      chunks++;
    }
    s = e;
  }
  return { bytes, chunks };
}
console.log("chunker | chunking MB/s | new chunks | bytes added | % of db");
const cutters = [
  [`fixed ${pageSize} B (page size)`, (b) => fixedChunks(b.length, pageSize)],
  ["FastCDC 16/64/256 KiB", (b) => cdcChunks(b, defaultCdcParams)],
  [
    "FastCDC 512 KiB/1 MiB/8 MiB (restic-like)",
    (b) => cdcChunks(b, { minSize: 524288, avgSize: 1048576, maxSize: 8388608 }),
  ],
];
for (const [name, cutter] of cutters) {
  const t = performance.now();
  cutter(db);
  const speed = mbps(db.length, performance.now() - t);
  const a = added(cutter);
  console.log(
    `${name} | ${speed} | ${a.chunks} | ${(a.bytes / 1048576).toFixed(1)} MiB | ${((100 * a.bytes) / after.length).toFixed(1)}%`,
  );
}
rmSync(updated);

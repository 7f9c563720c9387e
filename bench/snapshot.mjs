// Benchmark: shipsafe's content-addressed snapshots against `tar -cf - | zstd -3` (Debian zstd;
// single-threaded, the peer issue 4 names; the full snapshot is also timed with `zstd -3 -T0`, both
// cores, for context) and `restic` (Debian restic, local repository), side by side in one run, on a generated
// dataset: a SQLite database (WAL mode, text + numbers + an index) under write load plus small
// config-like files. Measures, for each tool: full snapshot (while a child process keeps inserting
// rows), snapshot after updating 1% of rows at random (time, bytes added), snapshot with no change,
// snapshot after updating 1% of rows as one contiguous id range, restore, full verify, bytes
// stored; and shipsafe's peak RSS. Prints a table, the ratios shipsafe / peer, and one JSON line.
//
// Run against the build:
//   npm run build && node bench/snapshot.mjs [--db-mib 1024] [--files 2000] [--files-mib 200]
//                                            [--dir <work dir>] [--keep] [--profile] [--rounds 3]
// shipsafe's steps run in child processes (`--child <op>`) so that each one's peak RSS is its own;
// --profile writes a V8 CPU profile of each into <work>/profiles. The full snapshot, the no-change
// snapshot and the restore run --rounds times (default 3), the tools taking turns (for the restore
// in an order rotated by one each round); the table shows each tool's median and the line under it
// every run. Before every timed run of every tool the dataset is read and a 2 GiB scratch file
// written and deleted (warmUp, below: this VM hands idle memory back to its host, and whichever
// run came first after a pause paid for it). restic must be installed:
//   DEBIAN_FRONTEND=noninteractive apt-get install -y restic
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { prng } from "./lib/prng.mjs";

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), "..");
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const flag = (name) => argv.includes(`--${name}`);

// ---------------------------------------------------------------------------------------------
// Deterministic data: a small PRNG and word pools, so every run generates the same dataset.
// ---------------------------------------------------------------------------------------------
const WORDS = (
  "account active address admin alpha amount api archive backup balance batch beta billing " +
  "cache cancel card cart checkout city client cluster config country coupon credit customer " +
  "daily data debit default delivery deploy discount disk domain draft email enabled endpoint " +
  "error event export failed feature fee filter gateway green group health host invoice item " +
  "key label latency level limit local log manual merchant metric mode monthly network node " +
  "note order owner paid parcel partner payment pending plan policy pool port price primary " +
  "product profile queue quota rate ready refund region release replica request retry return " +
  "review role route sample schedule secret service session shipped shipping size sku status " +
  "stock store subscription summary tax team tier timeout token total trace user vendor volume " +
  "warehouse weekly worker zone"
).split(" ");
const STATUSES = ["pending", "paid", "shipped", "delivered", "refunded", "cancelled"];
const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const words = (rand, n) => {
  let out = pick(rand, WORDS);
  for (let i = 1; i < n; i++) out += ` ${pick(rand, WORDS)}`;
  return out;
};
const hex = (rand, n) => {
  let out = "";
  while (out.length < n)
    out += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return out.slice(0, n);
};

const ORDERS_SQL = `CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  amount REAL NOT NULL,
  quantity INTEGER NOT NULL,
  sku TEXT NOT NULL,
  note TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
)`;
const INSERT_SQL = `INSERT INTO orders (user_id, status, amount, quantity, sku, note, payload, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** One realistic order row (~330 bytes of record): text, numbers, a small JSON document. */
function orderRow(rand, t) {
  const payload = JSON.stringify({
    ref: hex(rand, 16),
    channel: pick(rand, ["web", "mobile", "api", "store"]),
    region: pick(rand, ["eu-west", "eu-central", "us-east", "us-west", "ap-south"]),
    tags: [pick(rand, WORDS), pick(rand, WORDS)],
    lines: Math.floor(rand() * 9) + 1,
  });
  return [
    Math.floor(rand() * 200_000),
    pick(rand, STATUSES),
    Math.round(rand() * 100_000) / 100,
    Math.floor(rand() * 20) + 1,
    `SKU-${hex(rand, 8).toUpperCase()}`,
    words(rand, 8 + Math.floor(rand() * 16)),
    payload,
    t,
    t,
  ];
}

async function generateDatabase(file, mib) {
  const db = new Database(file);
  db.pragma("page_size = 4096");
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144");
  db.exec(ORDERS_SQL);
  db.exec("CREATE INDEX orders_user ON orders (user_id, created_at)");
  db.exec(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, plan TEXT, balance REAL)",
  );
  const insert = db.prepare(INSERT_SQL);
  const users = db.prepare("INSERT INTO users (name, email, plan, balance) VALUES (?, ?, ?, ?)");
  const rand = prng(1);
  const target = mib * 1024 * 1024;
  let t = 1_700_000_000;
  db.transaction(() => {
    for (let i = 0; i < 200_000; i++) {
      const name = `${pick(rand, WORDS)} ${pick(rand, WORDS)}`;
      users.run(
        name,
        `${name.replace(" ", ".")}${i}@example.com`,
        pick(rand, ["free", "pro", "team"]),
        rand() * 1000,
      );
    }
  })();
  const batch = db.transaction((n) => {
    for (let i = 0; i < n; i++) insert.run(orderRow(rand, t++));
  });
  for (;;) {
    batch(50_000);
    const size = db.pragma("page_count", { simple: true }) * 4096;
    if (size >= target) break;
  }
  db.pragma("journal_mode = WAL");
  db.pragma("user_version = 7");
  const rows = db.prepare("SELECT max(id) FROM orders").pluck().get();
  db.close();
  return rows;
}

/** `count` config-like files (YAML, JSON, INI) in 40 service directories, about `mib` MiB in all. */
function generateFiles(dir, count, mib) {
  const rand = prng(2);
  // Sizes log-uniform between 2 KiB and 512 KiB, then scaled so the total is `mib` MiB.
  const raw = Array.from({ length: count }, () => 2048 * 256 ** rand());
  const scale = (mib * 1024 * 1024) / raw.reduce((a, b) => a + b, 0);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.max(256, Math.round(raw[i] * scale));
    const kind = i % 3;
    const sub = join(dir, `svc-${String(i % 40).padStart(2, "0")}`);
    mkdirSync(sub, { recursive: true });
    const parts = [];
    let length = 0;
    let n = 0;
    while (length < size) {
      n++;
      const line =
        kind === 0
          ? `${pick(rand, WORDS)}_${n}:\n  enabled: ${rand() < 0.5}\n  ${pick(rand, WORDS)}: ${Math.floor(rand() * 10000)}\n  host: ${pick(rand, WORDS)}-${hex(rand, 6)}.internal\n  description: "${words(rand, 6)}"\n`
          : kind === 1
            ? `  "${pick(rand, WORDS)}_${n}": {"id": "${hex(rand, 12)}", "limit": ${Math.floor(rand() * 5000)}, "mode": "${pick(rand, WORDS)}", "note": "${words(rand, 5)}"},\n`
            : `[${pick(rand, WORDS)}.${n}]\n${pick(rand, WORDS)} = ${rand().toFixed(4)}\nendpoint = https://${pick(rand, WORDS)}.example.com/${hex(rand, 8)}\ncomment = ${words(rand, 7)}\n\n`;
      parts.push(line);
      length += line.length;
    }
    const text = parts.join("").slice(0, size);
    writeFileSync(
      join(sub, `file-${String(i).padStart(4, "0")}.${["yaml", "json", "ini"][kind]}`),
      text,
    );
    total += text.length;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Child modes: the shipsafe steps (own process, own peak RSS) and the background writer.
// ---------------------------------------------------------------------------------------------
function peakRssMiB() {
  // VmHWM is the peak resident set of this process (resourceUsage().maxRSS says the same, in KiB).
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {}
  return process.resourceUsage().maxRSS / 1024;
}

async function runChild(op) {
  const dist = (p) => join(ROOT, "dist", p);
  const { openCasSnapshotStoreAt } = await import(dist("composition/snapshot-store.js"));
  const { createSqliteAsset } = await import(dist("adapters/state/sqlite/sqlite-asset.js"));
  const { createFilesAsset } = await import(dist("adapters/state/files/files-asset.js"));
  const root = opt("root");
  const data = opt("data");
  const t0 = performance.now();
  // The store exactly as shipsafe opens it (src/composition/snapshot-store.ts).
  const store = await openCasSnapshotStoreAt(root);
  const assets = [
    createSqliteAsset({ name: "db", path: join(data, "app.db") }),
    createFilesAsset({ name: "config", paths: [join(data, "config")], baseDir: data }),
  ];
  let out;
  if (op === "create") {
    const m = await store.create({ env: "bench", service: "bench", reason: "bench" }, assets);
    out = { id: m.id, size: m.size, rows: m.assets[0].details.tables };
  } else if (op === "verify") {
    const v = await store.verify(opt("id"));
    if (!v.ok) throw new Error(`verify failed: ${v.problems.slice(0, 3).join("; ")}`);
    out = { ok: v.ok };
  } else if (op === "materialize") {
    await store.materialize(opt("id"), opt("dest"));
    out = {};
  } else if (op === "restoreInto") {
    const reports = await store.restoreInto(opt("id"), assets, opt("dest"));
    if (!reports.every((r) => r.ok)) throw new Error(`restoreInto: ${JSON.stringify(reports)}`);
    out = {};
  } else throw new Error(`unknown child op ${op}`);
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ...out, ms, rssMiB: peakRssMiB() })}\n`);
}

/** Keeps inserting rows (50 per transaction, ~200 transactions/s) until SIGTERM; prints the count. */
function runWriter(file) {
  const db = new Database(file, { timeout: 10_000 });
  db.pragma("journal_mode = WAL");
  const insert = db.prepare(INSERT_SQL);
  const rand = prng(Date.now());
  let rows = 0;
  let t = 1_800_000_000;
  const batch = db.transaction(() => {
    for (let i = 0; i < 50; i++) insert.run(orderRow(rand, t++));
  });
  let stop = false;
  process.on("SIGTERM", () => {
    stop = true;
  });
  const tick = () => {
    if (stop) {
      db.close();
      process.stdout.write(`${rows}\n`);
      process.exit(0);
    }
    batch();
    rows += 50;
    setTimeout(tick, 5);
  };
  process.stdout.write("ready\n");
  tick();
}

if (flag("child")) {
  await runChild(opt("child"));
  process.exit(0);
}
if (flag("writer")) {
  runWriter(opt("writer"));
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The benchmark.
// ---------------------------------------------------------------------------------------------
function sh(command, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${r.status}: ${r.stderr || r.stdout}`);
  }
  return { ms, stdout: r.stdout };
}

/**
 * Run before every timed run, of every tool alike: reads the dataset under `data` and writes and
 * deletes a 2 GiB scratch file in `work`, so the run neither re-reads pages the kernel let go
 * nor pays for memory the VM's host took back. This machine is a VM whose kernel pages idle memory
 * out (DAMON, action pageout) and reports free memory to the host. Measured here (2026-12-06):
 * writing 2 GB to a file ran at 410-420 MB/s after a pause of 5-30 s and at 3.1 GB/s right after
 * the same write; reading the 1.09 GB database took 0.75 s after a pause, 0.14 s right after; a
 * full shipsafe snapshot (standalone, no write load) took 6.19-6.36 s after a 10 s pause and
 * 5.59-5.81 s right after this warm-up. Without it the first run after a pause paid up to a
 * second: shipsafe's, which came first in every round of the full snapshot and in the first
 * round of the restore.
 */
function warmUp(work, data) {
  // More than any one run here writes or holds in memory.
  const scratchBytes = 2 * 1024 ** 3;
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  const readAll = (path) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) readAll(join(path, name));
      return;
    }
    const fd = openSync(path, "r");
    try {
      while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  };
  readAll(data);
  buffer.fill(0x5a); // not zeros: nothing may treat the pages as holes
  const scratch = join(work, "warm-up.tmp");
  const fd = openSync(scratch, "w");
  try {
    for (let written = 0; written < scratchBytes; written += buffer.length) writeSync(fd, buffer);
  } finally {
    closeSync(fd);
    rmSync(scratch, { force: true });
  }
}

function bytesUnder(path) {
  let total = 0;
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (st.isFile()) return st.size;
  if (!st.isDirectory()) return 0;
  for (const name of readdirSync(path)) total += bytesUnder(join(path, name));
  return total;
}

/** sha1 of every 4 KiB page of a file, to count the pages an update changed. */
function pageDigests(file) {
  const fd = openSync(file, "r");
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  const out = [];
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      for (let off = 0; off < n; off += 4096) {
        out.push(
          createHash("sha1")
            .update(buf.subarray(off, Math.min(n, off + 4096)))
            .digest("base64"),
        );
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function changedPages(before, after) {
  let changed = 0;
  for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) changed++;
  return changed;
}

/**
 * `steps` in the order round `round` runs them: rotated by one each round, so that no tool always
 * runs first (right after the steps before the loop) or right after the same other tool.
 */
function rotated(steps, round) {
  const k = round % steps.length;
  return [...steps.slice(k), ...steps.slice(0, k)];
}

/** The run with the median `ms` (the lower one of an even count); `runsMs` lists every run's. */
function median(runs) {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const middle = sorted[(sorted.length - 1) >> 1];
  return { ...middle, runsMs: runs.map((r) => Math.round(r.ms)) };
}

async function main() {
  const dbMib = Number(opt("db-mib", 1024));
  const fileCount = Number(opt("files", 2000));
  const filesMib = Number(opt("files-mib", Math.round((200 * dbMib) / 1024)));
  const keep = flag("keep");
  // The full snapshot, the no-change snapshot and the restore are timed this many times, each
  // tool in turn, and the median is reported: single runs here vary by up to ±20%.
  const rounds = Number(opt("rounds", 3));
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`--rounds must be a whole number of at least 1, got ${opt("rounds")}`);
    process.exit(2);
  }
  const profile = flag("profile");
  const haveRestic = spawnSync("restic", ["version"]).status === 0;
  if (!haveRestic) {
    console.error("restic is missing: DEBIAN_FRONTEND=noninteractive apt-get install -y restic");
    process.exit(2);
  }
  const work = opt("dir") ?? (await mkdtemp(join(tmpdir(), "shipsafe-snapshot-bench-")));
  const data = join(work, "data");
  const casRoot = join(work, "shipsafe");
  const tarDir = join(work, "tar");
  const repo = join(work, "restic");
  const profiles = join(work, "profiles");
  for (const d of [data, casRoot, tarDir, profiles]) mkdirSync(d, { recursive: true });
  const dbFile = join(data, "app.db");
  const resticEnv = {
    ...process.env,
    RESTIC_PASSWORD: "bench",
    RESTIC_REPOSITORY: repo,
    RESTIC_CACHE_DIR: join(work, "restic-cache"),
  };
  const restic = (...args) => sh("restic", ["--quiet", ...args], { cwd: work, env: resticEnv });
  const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
  const results = { shipsafe: {}, tarZstd: {}, tarZstdT0: {}, restic: {} };
  const notes = {};
  let peakRss = 0;

  const shipsafe = (op, extra = [], root = casRoot) => {
    const nodeArgs = profile
      ? [
          "--cpu-prof",
          "--cpu-prof-dir",
          profiles,
          "--cpu-prof-name",
          `${op}-${Date.now()}.cpuprofile`,
        ]
      : [];
    const { ms, stdout } = sh(process.execPath, [
      ...nodeArgs,
      SELF,
      "--child",
      op,
      "--root",
      root,
      "--data",
      data,
      ...extra,
    ]);
    const out = JSON.parse(stdout.trim().split("\n").at(-1));
    peakRss = Math.max(peakRss, out.rssMiB);
    return { ...out, wallMs: ms };
  };
  const checkpoint = () => {
    const db = new Database(dbFile);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
  };
  /** Runs `body` while a child process inserts rows into the database; returns rows inserted. */
  const warm = () => warmUp(work, data);
  const underWriteLoad = async (body) => {
    warm(); // before the writer starts: its rows count only while the tool runs
    const child = spawn(process.execPath, [SELF, "--writer", dbFile], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
    });
    while (!text.includes("ready")) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300)); // let the load settle in
    let value;
    try {
      value = body();
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.on("close", r));
    }
    checkpoint();
    return { value, rows: Number(text.split("\n").filter(Boolean).at(-1)) };
  };
  const tarZstd = (name, threads = "") =>
    sh("sh", [
      "-c",
      `tar -C "${work}" -cf - data | zstd -3 ${threads} -q -f -o "${join(tarDir, name)}"`,
    ]);
  const mb = (b) => b / 1e6;

  try {
    log(
      `work dir ${work}; load ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}`,
    );
    // 1. Dataset.
    let t0 = performance.now();
    const rows = await generateDatabase(dbFile, dbMib);
    const dbGenMs = performance.now() - t0;
    t0 = performance.now();
    const filesBytes = generateFiles(join(data, "config"), fileCount, filesMib);
    const filesGenMs = performance.now() - t0;
    const dataset = {
      dbBytes: statSync(dbFile).size,
      dbRows: rows,
      files: fileCount,
      filesBytes,
      generateMs: Math.round(dbGenMs + filesGenMs),
    };
    log("dataset", dataset);

    // 2a. Full snapshot, each tool under the same write load, in turn, `rounds` times. Dirty pages
    // are written out before each run (untimed): no tool pays for the dataset's or another tool's
    // writes. The last round's stores are the ones the steps below build on.
    log(`full snapshot (under write load), ${rounds} round(s)`);
    const full = { shipsafe: [], tarZstd: [], tarZstdT0: [], restic: [] };
    for (let round = 0; round < rounds; round++) {
      const last = round === rounds - 1;
      const root = last ? casRoot : join(work, "shipsafe-round");
      const steps = [
        async () => {
          rmSync(root, { recursive: true, force: true });
          mkdirSync(root, { recursive: true });
          sh("sync", []);
          const w = await underWriteLoad(() => shipsafe("create", [], root));
          full.shipsafe.push({
            ms: w.value.wallMs,
            inProcessMs: w.value.ms,
            rssMiB: w.value.rssMiB,
            rowsWrittenMeanwhile: w.rows,
          });
          if (!last) rmSync(root, { recursive: true, force: true });
        },
        async () => {
          sh("sync", []);
          const w = await underWriteLoad(() => tarZstd("full.tar.zst"));
          full.tarZstd.push({ ms: w.value.ms, rowsWrittenMeanwhile: w.rows });
        },
        async () => {
          // Context only: zstd on both cores (its archive is the same size to within 0.1%).
          sh("sync", []);
          const w = await underWriteLoad(() => tarZstd("full-t0.tar.zst", "-T0"));
          full.tarZstdT0.push({ ms: w.value.ms, rowsWrittenMeanwhile: w.rows });
          rmSync(join(tarDir, "full-t0.tar.zst"));
        },
        async () => {
          rmSync(repo, { recursive: true, force: true });
          restic("init");
          sh("sync", []);
          const w = await underWriteLoad(() => restic("backup", "data"));
          full.restic.push({ ms: w.value.ms, rowsWrittenMeanwhile: w.rows });
        },
      ];
      // Always in this order (not rotated as the restore is): the stored sizes compare shipsafe's
      // last snapshot with the tar.zst written right after it, under the same rows.
      for (const step of steps) await step();
    }
    for (const tool of Object.keys(full)) results[tool].full = median(full[tool]);
    results.shipsafe.fullStored = bytesUnder(casRoot);
    results.tarZstd.fullStored = statSync(join(tarDir, "full.tar.zst")).size;
    results.restic.fullStored = bytesUnder(repo);

    // The other tools' write loads changed the database after shipsafe's and restic's full
    // snapshots: take one quiet snapshot each so the update below measures only the update.
    log("settle snapshots (catch up with the rows the other tools' write loads added)");
    warm();
    const settleShip = shipsafe("create");
    results.shipsafe.settle = { ms: settleShip.wallMs, rssMiB: settleShip.rssMiB };
    warm();
    results.restic.settle = { ms: restic("backup", "data").ms };

    const measureChange = (label, tarName) => {
      const before = { ship: bytesUnder(casRoot), restic: bytesUnder(repo) };
      warm();
      const s = shipsafe("create");
      results.shipsafe[label] = {
        ms: s.wallMs,
        inProcessMs: s.ms,
        rssMiB: s.rssMiB,
        added: bytesUnder(casRoot) - before.ship,
      };
      warm();
      const t = tarZstd(tarName);
      results.tarZstd[label] = { ms: t.ms, added: statSync(join(tarDir, tarName)).size };
      warm();
      const r = restic("backup", "data");
      results.restic[label] = { ms: r.ms, added: bytesUnder(repo) - before.restic };
      return s.id;
    };

    // 2b. 1% of rows updated at random.
    const pagesBefore = pageDigests(dbFile);
    const update = (ids) => {
      const db = new Database(dbFile);
      const rand = prng(3 + ids.length);
      const stmt = db.prepare(
        "UPDATE orders SET status = ?, amount = ?, updated_at = ? WHERE id = ?",
      );
      db.transaction(() => {
        for (const id of ids)
          stmt.run(pick(rand, STATUSES), Math.round(rand() * 100_000) / 100, 1_900_000_000, id);
      })();
      db.pragma("wal_checkpoint(TRUNCATE)");
      const n = db.prepare("SELECT count(*) FROM orders").pluck().get();
      db.close();
      return n;
    };
    const maxId = (() => {
      const db = new Database(dbFile, { readonly: true });
      const v = db.prepare("SELECT max(id) FROM orders").pluck().get();
      db.close();
      return v;
    })();
    const onePercent = Math.round(maxId / 100);
    const rand = prng(4);
    const chosen = new Set();
    while (chosen.size < onePercent) chosen.add(1 + Math.floor(rand() * maxId));
    update([...chosen]);
    const pagesAfterRandom = pageDigests(dbFile);
    notes.randomUpdate = {
      rows: onePercent,
      pagesChanged: changedPages(pagesBefore, pagesAfterRandom),
      pages: pagesAfterRandom.length,
    };
    notes.randomUpdate.changedBytes = notes.randomUpdate.pagesChanged * 4096;
    log("1% random update", notes.randomUpdate);
    measureChange("update1pct", "update.tar.zst");

    // 2c. No change, `rounds` times (each a snapshot of its own).
    log(`no-change snapshot, ${rounds} round(s)`);
    const unchanged = { shipsafe: [], tarZstd: [], restic: [] };
    let lastId;
    for (let round = 0; round < rounds; round++) {
      sh("sync", []);
      lastId = measureChange("noChange", "nochange.tar.zst");
      for (const tool of Object.keys(unchanged)) unchanged[tool].push(results[tool].noChange);
    }
    for (const tool of Object.keys(unchanged)) results[tool].noChange = median(unchanged[tool]);

    // 2b'. 1% of rows as one contiguous id range.
    const start = Math.floor(maxId / 3);
    update(Array.from({ length: onePercent }, (_, i) => start + i));
    const pagesAfterRange = pageDigests(dbFile);
    notes.contiguousUpdate = {
      rows: onePercent,
      pagesChanged: changedPages(pagesAfterRandom, pagesAfterRange),
    };
    notes.contiguousUpdate.changedBytes = notes.contiguousUpdate.pagesChanged * 4096;
    log("1% contiguous update", notes.contiguousUpdate);
    const rangeId = measureChange("updateRange", "range.tar.zst");
    void lastId;

    // 2d. Restore of the latest snapshot.
    log("restore");
    const dest = (name) => {
      const d = join(work, name);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      return d;
    };
    // Each tool restores from a clean page cache state: what the snapshots above left unwritten is
    // flushed first (untimed), so no tool's fsync or sync pays for another tool's writes. Each
    // tool in turn, `rounds` times.
    const restores = { shipsafe: [], tarZstd: [], restic: [] };
    const restoreSteps = [
      () => {
        const m = shipsafe("materialize", ["--id", rangeId, "--dest", dest("restore-shipsafe")]);
        restores.shipsafe.push({
          ms: m.wallMs,
          inProcessMs: m.ms,
          rssMiB: m.rssMiB,
          method: "materialize",
        });
        rmSync(join(work, "restore-shipsafe"), { recursive: true, force: true });
      },
      () => {
        const tr = sh("sh", [
          "-c",
          `zstd -d -c -q "${join(tarDir, "range.tar.zst")}" | tar -C "${dest("restore-tar")}" -xf -`,
        ]);
        const trSync = sh("sync", ["-f", join(work, "restore-tar")]);
        restores.tarZstd.push({ ms: tr.ms, syncMs: trSync.ms });
        rmSync(join(work, "restore-tar"), { recursive: true, force: true });
      },
      () => {
        const rr = restic("restore", "latest", "--target", dest("restore-restic"));
        const rrSync = sh("sync", ["-f", join(work, "restore-restic")]);
        restores.restic.push({ ms: rr.ms, syncMs: rrSync.ms });
        rmSync(join(work, "restore-restic"), { recursive: true, force: true });
      },
    ];
    for (let round = 0; round < rounds; round++) {
      for (const step of rotated(restoreSteps, round)) {
        sh("sync", []);
        warm();
        step();
      }
    }
    for (const tool of Object.keys(restores)) results[tool].restore = median(restores[tool]);
    // The drill shipsafe runs (materialize into staging, copy into the sandbox, integrity_check).
    warm();
    const ri = shipsafe("restoreInto", ["--id", rangeId, "--dest", dest("sandbox-shipsafe")]);
    results.shipsafe.restoreIntoDrill = { ms: ri.wallMs, rssMiB: ri.rssMiB };
    rmSync(join(work, "sandbox-shipsafe"), { recursive: true, force: true });

    // 2e. Full verify: read, decompress, hash.
    log("verify");
    warm();
    const v = shipsafe("verify", ["--id", rangeId]);
    results.shipsafe.verify = { ms: v.wallMs, inProcessMs: v.ms, rssMiB: v.rssMiB };
    warm();
    results.tarZstd.verify = { ms: sh("zstd", ["-t", "-q", join(tarDir, "range.tar.zst")]).ms };
    warm();
    results.restic.verify = { ms: restic("check", "--read-data").ms };

    // 2f. Bytes stored (every snapshot so far; tar.zst: the sum of its archives).
    results.shipsafe.stored = bytesUnder(casRoot);
    results.restic.stored = bytesUnder(repo);
    results.tarZstd.stored = bytesUnder(tarDir);
    results.shipsafe.peakRssMiB = peakRss;

    // 3. Report.
    const S = results.shipsafe;
    const rows3 = [
      ["full snapshot (s, under write load)", "full", "ms"],
      ["snapshot after 1% random update (s)", "update1pct", "ms"],
      ["  bytes added (MB)", "update1pct", "added"],
      ["snapshot with no change (s)", "noChange", "ms"],
      ["  bytes added (MB)", "noChange", "added"],
      ["snapshot after 1% contiguous update (s)", "updateRange", "ms"],
      ["  bytes added (MB)", "updateRange", "added"],
      ["restore (s)", "restore", "ms"],
      ["full verify (s)", "verify", "ms"],
      ["stored after the full snapshot (MB)", "fullStored", null],
      ["stored, every snapshot taken (MB)", "stored", null],
    ];
    const val = (tool, key, field) => {
      const x = results[tool][key];
      if (x === undefined) return undefined;
      if (field === null) return mb(x);
      return field === "ms" ? x.ms / 1000 : mb(x[field]);
    };
    const fmt = (x) =>
      x === undefined ? "" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
    const ratio = (a, b) =>
      a === undefined || b === undefined || b === 0 ? "" : `${(a / b).toFixed(2)}x`;
    const table = [
      "| measure | shipsafe | tar \\| zstd -3 | restic | shipsafe / tar.zst | shipsafe / restic |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    ];
    const ratios = {};
    for (const [label, key, field] of rows3) {
      const s = val("shipsafe", key, field);
      const t = val("tarZstd", key, field);
      const r = val("restic", key, field);
      ratios[`${key}${field === "added" ? "Added" : field === null ? "" : ""}`] = {
        overTar: s !== undefined && t ? Number((s / t).toFixed(3)) : null,
        overRestic: s !== undefined && r ? Number((s / r).toFixed(3)) : null,
      };
      table.push(
        `| ${label} | ${fmt(s)} | ${fmt(t)} | ${fmt(r)} | ${ratio(s, t)} | ${ratio(s, r)} |`,
      );
    }
    console.log(table.join("\n"));
    const t0Full = results.tarZstdT0.full.ms;
    ratios.fullOverTarT0 = Number((results.shipsafe.full.ms / t0Full).toFixed(3));
    console.log(
      `\nfull snapshot, tar | zstd -3 -T0 (both cores) under the same load: ${fmt(t0Full / 1000)} s; shipsafe / that ${ratios.fullOverTarT0.toFixed(2)}x`,
    );
    const runs = (tool, key) => results[tool][key].runsMs.map((ms) => fmt(ms / 1000)).join(" / ");
    console.log(
      `\nmedians of ${rounds} round(s); every run (s): ` +
        ["full", "noChange", "restore"]
          .map(
            (key) =>
              `${key}: shipsafe ${runs("shipsafe", key)}, tar ${runs("tarZstd", key)}, restic ${runs("restic", key)}`,
          )
          .join("; "),
    );
    console.log(
      `\nshipsafe peak RSS ${peakRss.toFixed(0)} MiB; restore = materialize (verified plain files, fsynced before they are renamed into place); ` +
        `restoreInto drill ${fmt(S.restoreIntoDrill.ms / 1000)} s; peers' restore + sync: tar ${fmt((results.tarZstd.restore.ms + results.tarZstd.restore.syncMs) / 1000)} s, restic ${fmt((results.restic.restore.ms + results.restic.restore.syncMs) / 1000)} s`,
    );
    console.log(
      JSON.stringify({
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadavg: loadavg(),
        dataset,
        notes,
        results,
        ratios,
      }),
    );
  } finally {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

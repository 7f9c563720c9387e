// Benchmark: Type 1 rollback time on the demo app, from command start to the previous version
// answering ready (the CLI only exits 0 after its verify-health step), against a named baseline
// run in the same script: "by hand" — SIGTERM the server's process group, swap the symlink
// (new link + rename), start the old release, poll /health/ready until the first 200.
// The app's own start time (spawn to first 200) is reported beside both.
// Run: `npm run build && node bench/rollback.mjs [runs]`.
import { execFile, spawn } from "node:child_process";
import { cp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { createDemoWorkspace, PACKAGE_ROOT } from "../dist/demo/demo-workspace.js";

const run = promisify(execFile);
const runs = Number(process.argv[2] ?? 7);
const cli = join(PACKAGE_ROOT, "dist", "cli", "main.js");
const ws = await createDemoWorkspace();
const shipsafe = (...args) =>
  run(process.execPath, [cli, "--config", ws.configFile, ...args], { cwd: ws.dir });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x);

try {
  await cp(join(ws.dir, "src", "1.0.0"), join(ws.dir, "src", "1.0.1"), { recursive: true });
  await writeFile(join(ws.dir, "src", "1.0.1", "NOTES.txt"), "1.0.1\n");
  for (const v of ["1.0.0", "1.0.1"]) {
    await shipsafe("release", "add", v, "--from", join(ws.dir, "src", v));
    await shipsafe("release", "prepare", v);
    await shipsafe("deploy", v, "--observe", "200ms", "--baseline", "100ms", "--no-auto-rollback");
  }

  // shipsafe: alternate rollbacks between the two releases.
  const shipsafeMs = [];
  for (let i = 0; i < runs; i++) {
    const to = i % 2 === 0 ? "1.0.0" : "1.0.1";
    const t0 = performance.now();
    await shipsafe("rollback", "--to", to, "--reason", "bench");
    shipsafeMs.push(performance.now() - t0);
  }
  const pid = JSON.parse(await readFile(join(ws.dir, "deploy", "run", "service.pid"), "utf8")).pid;
  await stopGroup(pid);

  // Baseline, by hand: the same service, the same releases, no shipsafe.
  let child = await startRelease("1.0.0");
  const manualMs = [];
  const appStartMs = [];
  for (let i = 0; i < runs; i++) {
    const to = i % 2 === 0 ? "1.0.1" : "1.0.0";
    const t0 = performance.now();
    await stopGroup(child.pid);
    const link = join(ws.dir, "deploy", `.bench-${i}`);
    await symlink(`releases/${to}`, link);
    await rename(link, join(ws.dir, "deploy", "current"));
    const t1 = performance.now();
    child = await startRelease(to);
    const t2 = performance.now();
    manualMs.push(t2 - t0);
    appStartMs.push(t2 - t1);
  }
  await stopGroup(child.pid);

  const result = {
    runs,
    shipsafeType1Ms: { median: round(median(shipsafeMs)), all: shipsafeMs.map(round) },
    byHandMs: { median: round(median(manualMs)), all: manualMs.map(round) },
    appStartMs: { median: round(median(appStartMs)) },
    shipsafeOverByHand: Number((median(shipsafeMs) / median(manualMs)).toFixed(2)),
    node: process.version,
  };
  console.log(JSON.stringify(result));
} finally {
  await rm(ws.dir, { recursive: true, force: true });
}

async function startRelease(version) {
  const dir = join(ws.dir, "deploy", "current");
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: dir,
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      PORT: String(ws.port),
      DEMO_DB: ws.database,
      SHIPSAFE_NODE_MODULES: join(PACKAGE_ROOT, "node_modules"),
      SHIPSAFE_VERSION: version,
    },
  });
  child.unref();
  for (;;) {
    const ok = await fetch(`${ws.baseUrl}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function stopGroup(pid) {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

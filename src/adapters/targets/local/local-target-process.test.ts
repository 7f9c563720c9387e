import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpHealthProbe } from "../../health/http/http-health-probe.js";
import { createLocalTarget, type LocalTargetConfig } from "./local-target.js";
import {
  freePort,
  processAlive,
  rejection,
  removeDir,
  tempDir,
  waitFor,
  writeTree,
} from "./local-target.test-support.js";

/** A tiny service: answers /ready with its version, writes its child's pid, exits on SIGTERM unless told not to. */
const SERVER = `
const http = require("node:http");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const helper = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
fs.writeFileSync(process.env.HELPER_PID_FILE, String(helper.pid));
const server = http.createServer((req, res) => {
  res.end(req.url === "/ready" ? "ready " + process.env.SHIPSAFE_VERSION : "live");
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => {
  console.log("listening on " + process.env.PORT + " from " + process.cwd());
});
process.on("SIGTERM", () => {
  if (process.env.IGNORE_SIGTERM === "1") { console.log("ignoring SIGTERM"); return; }
  console.log("got SIGTERM");
  helper.kill();
  server.close(() => process.exit(0));
});
`;

let work: string;
let root: string;
let port: number;
const started: number[] = [];

beforeEach(async () => {
  work = await tempDir();
  root = join(work, "deploy");
  port = await freePort();
});
afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await removeDir(work);
});

function target(overrides: Partial<LocalTargetConfig> = {}) {
  return createLocalTarget({
    root,
    start: [process.execPath, "server.js"],
    stopGrace: 5_000,
    env: { PORT: String(port), HELPER_PID_FILE: join(work, "helper.pid") },
    ...overrides,
  });
}

async function deploy(version: string, t = target()): Promise<void> {
  const dir = join(work, `src-${version}`);
  await writeTree(dir, { "server.js": SERVER });
  await t.addRelease(version, dir);
  await t.activate(version);
}

const probe = () =>
  createHttpHealthProbe({
    ready: `http://127.0.0.1:${port}/ready`,
    readyBody: "ready",
    timeoutMs: 1000,
  });

async function waitReady(): Promise<string> {
  let body = "";
  await waitFor(async () => {
    const [result] = await probe().probe();
    if (result?.ok) body = await (await fetch(`http://127.0.0.1:${port}/ready`)).text();
    return result?.ok === true;
  });
  return body;
}

describe("local target: supervising the service", () => {
  it("starts detached from current, probes ready, and stops the whole group with SIGTERM", async () => {
    const t = target();
    await deploy("1.0.0", t);
    expect(await t.status()).toEqual({ running: false });

    await t.start();
    const status = await t.status();
    expect(status).toMatchObject({ running: true, version: "1.0.0" });
    started.push(status.pid as number);
    expect(await waitReady()).toBe("ready 1.0.0");

    const pidFile = JSON.parse(await readFile(join(root, "run/service.pid"), "utf8"));
    expect(pidFile).toMatchObject({ pid: status.pid, version: "1.0.0" });
    expect(Date.parse(pidFile.startedAt)).not.toBeNaN();
    const helperPid = Number(await readFile(join(work, "helper.pid"), "utf8"));
    expect(processAlive(helperPid)).toBe(true);

    await t.stop();
    expect(await t.status()).toEqual({ running: false });
    await expect(stat(join(root, "run/service.pid"))).rejects.toThrow(/ENOENT/);
    expect(processAlive(status.pid as number)).toBe(false);
    expect(processAlive(helperPid)).toBe(false);
    const [result] = await probe().probe();
    expect(result).toMatchObject({ ok: false, error: "connection refused" });

    const log = await readFile(join(root, "logs/1.0.0.log"), "utf8");
    expect(log).toContain("starting 1.0.0");
    expect(log).toContain(`listening on ${port} from ${join(root, "releases/1.0.0")}`);
    expect(log).toContain("got SIGTERM");

    await t.stop(); // nothing running: nothing to do
  });

  it("start() while running restarts on the newly activated release", async () => {
    const t = target({ logFile: "service.log" });
    await deploy("1.0.0", t);
    await t.start();
    const first = (await t.status()).pid as number;
    started.push(first);
    await waitReady();
    await deploy("1.1.0", t);
    await t.start();
    const second = await t.status();
    started.push(second.pid as number);
    expect(second).toMatchObject({ running: true, version: "1.1.0" });
    expect(second.pid).not.toBe(first);
    expect(processAlive(first)).toBe(false);
    expect(await waitReady()).toBe("ready 1.1.0");
    expect(await readFile(join(root, "service.log"), "utf8")).toContain("starting 1.1.0");
    await t.stop();
  });

  it("SIGKILLs a service that ignores SIGTERM once stopGrace has passed", async () => {
    const t = target({
      stopGrace: 400,
      env: { PORT: String(port), HELPER_PID_FILE: join(work, "helper.pid"), IGNORE_SIGTERM: "1" },
    });
    await deploy("1.0.0", t);
    await t.start();
    const { pid } = await t.status();
    started.push(pid as number);
    await waitReady();
    const before = performance.now();
    await t.stop();
    const took = performance.now() - before;
    expect(took).toBeGreaterThanOrEqual(400);
    expect(took).toBeLessThan(4_000);
    expect(processAlive(pid as number)).toBe(false);
    expect(await t.status()).toEqual({ running: false });
    expect(await readFile(join(root, "logs/1.0.0.log"), "utf8")).toContain("ignoring SIGTERM");
  });

  it("treats a pid file of a dead process as nothing to stop", async () => {
    const t = target();
    await deploy("1.0.0", t);
    await writeTree(root, {
      "run/service.pid": JSON.stringify({ pid: 2 ** 22 + 17, version: "1.0.0", startedAt: "x" }),
    });
    expect(await t.status()).toEqual({ running: false });
    await t.stop();
    await expect(stat(join(root, "run/service.pid"))).rejects.toThrow(/ENOENT/);
    await writeTree(root, {
      "run/service.pid": JSON.stringify({ pid: 1, version: "1.0.0", startedAt: "x" }),
    });
    expect(await rejection(t.stop())).toMatchObject({ code: "PID_FILE_INVALID" });
  });

  it("refuses to start without a current release, and reports a missing program", async () => {
    expect(await rejection(target().start())).toMatchObject({
      code: "NO_CURRENT_RELEASE",
      kind: "usage",
    });
    const t = target({ start: ["shipsafe-no-such-program"] });
    await deploy("1.0.0", t);
    const error = await rejection(t.start());
    expect(error).toMatchObject({ code: "TARGET_COMMAND_FAILED", kind: "runtime" });
    expect(error.message).toContain("program not found");
    expect(await t.status()).toEqual({ running: false });
  });
});

describe("local target: restart-command mode", () => {
  it("runs restart and stop commands with the release in their environment", async () => {
    const record = join(work, "calls.log");
    const script = (what: string) => [
      process.execPath,
      "-e",
      `require("node:fs").appendFileSync(${JSON.stringify(record)}, ${JSON.stringify(what)} + " " + process.env.SHIPSAFE_VERSION + " " + process.env.SHIPSAFE_RELEASE_DIR + " " + process.env.EXTRA + " " + process.cwd() + "\\n")`,
    ];
    const t = target({ restart: script("restart"), stop: script("stop"), env: { EXTRA: "x1" } });
    await deploy("1.0.0", t);
    await t.start();
    await t.stop();
    const dir = join(root, "releases/1.0.0");
    expect(await readFile(record, "utf8")).toBe(
      `restart 1.0.0 ${dir} x1 ${dir}\nstop 1.0.0 ${dir} x1 ${dir}\n`,
    );
    expect(await t.status()).toEqual({ running: false });
  });

  it("turns a failing restart command into TARGET_COMMAND_FAILED with its stderr", async () => {
    const restart = [
      process.execPath,
      "-e",
      'console.error("unit myapp.service not found"); process.exit(5)',
    ];
    const t = target({ restart });
    await deploy("1.0.0", t);
    const error = await rejection(t.start());
    expect(error).toMatchObject({ code: "TARGET_COMMAND_FAILED", kind: "runtime" });
    expect(error.message).toContain("exited with code 5: unit myapp.service not found");
  });

  it("times out a hanging command", async () => {
    const t = target({
      restart: [process.execPath, "-e", "setInterval(() => {}, 1000)"],
      commandTimeout: 300,
    });
    await deploy("1.0.0", t);
    expect((await rejection(t.start())).message).toContain("timed out after 300ms");
  });
});

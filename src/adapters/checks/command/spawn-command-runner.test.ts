import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/shipsafe-cli.js";
import { createSpawnCommandRunner } from "./spawn-command-runner.js";

const node = process.execPath;

/** Whether a process still runs (a killed one left unreaped by PID 1 is a zombie: not running). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) {
    try {
      process.kill(pid, 0);
      return process.platform !== "linux";
    } catch {
      return false;
    }
  }
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

describe("spawn command runner (real processes)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-command-"));
    await mkdir(join(dir, "app"));
  });
  afterAll(() => cleanup());
  const runner = () => createSpawnCommandRunner({ baseDir: dir });

  it("reports the exit code and the tail of stdout and stderr, in order", async () => {
    const run = await runner().run(
      [
        node,
        "-e",
        "for (let i = 1; i <= 30; i++) console.log('line ' + i); console.error('boom'); process.exit(3)",
      ],
      { timeoutMs: 10_000 },
    );
    expect(run).toMatchObject({ exitCode: 3, timedOut: false, startError: undefined });
    const lines = run.outputTail.split("\n");
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe("line 12");
    expect(lines.at(-1)).toBe("boom");
  });

  it("runs in the check's cwd (relative to the config) with its extra environment", async () => {
    const run = await runner().run(
      [node, "-e", "console.log(process.cwd() + ' ' + process.env.GATE_MODE)"],
      { timeoutMs: 10_000, cwd: "app", env: { GATE_MODE: "strict" } },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputTail).toBe(`${join(dir, "app")} strict`);
  });

  it("passes arguments verbatim: no shell ever sees them", async () => {
    const marker = join(dir, "pwned");
    const run = await runner().run(
      [node, "-e", "console.log(process.argv[1])", `x; touch ${marker}`],
      { timeoutMs: 10_000 },
    );
    expect(run.outputTail).toBe(`x; touch ${marker}`);
    await expect(readFile(marker)).rejects.toThrow();
  });

  it("says when the program or the directory does not exist", async () => {
    const missing = await runner().run(["shipsafe-no-such-program"], { timeoutMs: 5_000 });
    expect(missing.startError).toBe("program not found (is it installed and on PATH?)");
    const noDir = await runner().run([node, "-v"], { timeoutMs: 5_000, cwd: "nope" });
    expect(noDir.startError).toBe(`working directory ${join(dir, "nope")} does not exist`);
  });

  it("kills the whole process group on timeout, keeping the output so far", async () => {
    const pidFile = join(dir, "grandchild.pid");
    const script = `
      const { spawn } = require("node:child_process");
      const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      console.log("started " + child.pid);
      setInterval(() => {}, 1000);`;
    const t0 = Date.now();
    const run = await runner().run([node, "-e", script], { timeoutMs: 500 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(run).toMatchObject({ timedOut: true, exitCode: undefined, signal: "SIGKILL" });
    expect(run.outputTail).toMatch(/^started \d+$/);
    const grandchild = Number(await readFile(pidFile, "utf8"));
    await new Promise((r) => setTimeout(r, 100));
    expect(await running(grandchild)).toBe(false);
  });

  it("stops when its signal aborts (an interrupted gate)", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const run = await runner().run([node, "-e", "setInterval(() => {}, 1000)"], {
      timeoutMs: 30_000,
      signal: controller.signal,
    });
    expect(run.timedOut).toBe(false);
    expect(run.signal).toBe("SIGTERM");
  });

  it("does not start at all once interrupted", async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await runner().run([node, "-v"], { timeoutMs: 1_000, signal: controller.signal });
    expect(run.startError).toBe("not started: interrupted");
    await rm(join(dir, "unused"), { force: true });
  });
});

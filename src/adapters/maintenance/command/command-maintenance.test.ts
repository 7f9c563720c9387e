import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSpawnCommandRunner } from "../../checks/command/spawn-command-runner.js";
import { createCommandMaintenance } from "./command-maintenance.js";

describe("command maintenance switch (real processes, argv, no shell)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipsafe-maint-cmd-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const node = (script: string, ...args: string[]) => [process.execPath, "-e", script, ...args];
  const append = "require('node:fs').appendFileSync(process.argv[1], process.argv[2] + '\\n')";

  it("runs the on and off commands with their arguments as given (a `;` stays an argument)", async () => {
    const log = join(dir, "log");
    const mode = createCommandMaintenance({
      on: node(append, log, "on; rm -rf /"),
      off: node(append, log, "off"),
      timeoutMs: 10_000,
      runner: createSpawnCommandRunner({ baseDir: dir }),
    });
    expect(mode.kind).toBe("command");
    expect(mode.describe("off")).toContain(" off");
    expect((await mode.set("on")).detail).toMatch(/^exit 0 in \d+ms$/);
    await mode.set("off");
    expect(await readFile(log, "utf8")).toBe("on; rm -rf /\noff\n");
  });

  it("a failing command is MAINTENANCE_FAILED naming the command, its exit and output", async () => {
    const mode = createCommandMaintenance({
      on: node("console.error('load balancer said no'); process.exit(3)"),
      off: ["/nonexistent/maint-off"],
      timeoutMs: 10_000,
      runner: createSpawnCommandRunner({ baseDir: dir }),
    });
    await expect(mode.set("on")).rejects.toMatchObject({
      code: "MAINTENANCE_FAILED",
      kind: "runtime",
      message: expect.stringMatching(/maintenance on \(.+\) failed: exit 3: load balancer said no/),
      hint: expect.stringContaining("shipsafe rollback --resume"),
    });
    await expect(mode.set("off")).rejects.toMatchObject({
      code: "MAINTENANCE_FAILED",
      message: expect.stringContaining("/nonexistent/maint-off"),
      hint: expect.stringContaining("writes are still stopped"),
    });
  });

  it("a command that hangs is stopped at the timeout", async () => {
    const mode = createCommandMaintenance({
      on: node("setTimeout(() => {}, 60000)"),
      off: node(""),
      timeoutMs: 300,
      runner: createSpawnCommandRunner({ baseDir: dir }),
    });
    await expect(mode.set("on")).rejects.toMatchObject({
      message: expect.stringContaining("timed out after 300ms"),
    });
  });
});

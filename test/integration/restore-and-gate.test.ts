import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { type CliRun, shipsafe, startShipsafe } from "../helpers/shipsafe-cli.js";

/** Restore drills, the live-restore guard, health and the release gate, through the built CLI. */
describe("restore drill, restore guard, health and release gate (built CLI, demo app)", () => {
  let ws: DemoWorkspace;
  let snapshotId: string;
  const run = (args: string[], env?: Record<string, string>): Promise<CliRun> =>
    shipsafe(["--config", ws.configFile, ...args], env ? { cwd: ws.dir, env } : { cwd: ws.dir });
  const json = async (args: string[], env?: Record<string, string>) => {
    const r = await run(["--json", ...args], env);
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };
  const dbHash = async (): Promise<string> =>
    createHash("sha256")
      .update(await readFile(ws.database))
      .digest("hex");

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    expect(
      (await run(["release", "add", "1.0.0", "--from", join(ws.dir, "src", "1.0.0")])).code,
    ).toBe(0);
    expect((await run(["release", "prepare", "1.0.0"])).code).toBe(0);
    const deployed = await run(["deploy", "1.0.0", "--observe", "200ms", "--no-auto-rollback"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    for (let i = 0; i < 4; i++) {
      await fetch(`${ws.baseUrl}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item: "x", qty: 1 }),
      });
    }
    const created = await json(["snapshot", "create", "--reason", "test"]);
    expect(created.code, created.stderr).toBe(0);
    snapshotId = created.doc.id;
  }, 60_000);

  afterAll(async () => {
    const pid = await readFile(join(ws.dir, "deploy", "run", "service.pid"), "utf8").then(
      (t) => JSON.parse(t).pid as number,
      () => 0,
    );
    if (pid) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
    await rm(ws.dir, { recursive: true, force: true });
  });

  it("health reports the running release healthy (exit 0)", async () => {
    const health = await json(["health"]);
    expect(health.code).toBe(0);
    expect(health.doc).toMatchObject({ current: "1.0.0", healthy: true });
  });

  it("a restore drill restores into a sandbox, checks integrity and records evidence, touching nothing live", async () => {
    const before = await dbHash();
    const drill = await json(["restore", "drill", snapshotId]);
    expect(drill.code, drill.stderr).toBe(0);
    expect(drill.doc.passed).toBe(true);
    expect(drill.doc.restoreMs).toBeGreaterThanOrEqual(0);
    expect(drill.doc.dataAgeMs).toBeGreaterThanOrEqual(0);
    const checks = drill.doc.integrity.flatMap((r: { checks: { name: string }[] }) =>
      r.checks.map((c) => c.name),
    );
    expect(checks.join(" ")).toMatch(/integrity/);
    expect(await dbHash()).toBe(before);
    const tail = await json(["audit", "tail", "-n", "3"]);
    expect(tail.doc.entries.map((e: { kind: string }) => e.kind)).toContain("restore.drill");
  });

  it("restoring over the live state without the guard is refused (exit 4) and changes nothing", async () => {
    const before = await dbHash();
    const refused = await run(["restore", "drill", snapshotId, "--execute"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/error\[RESTORE_GUARD\]/);
    expect(refused.stderr).toMatch(/SHIPSAFE_RESTORE_GUARD=demo/);
    const wrongEnv = await run(["restore", "drill", snapshotId, "--execute"], {
      SHIPSAFE_RESTORE_GUARD: "production",
    });
    expect(wrongEnv.code).toBe(4);
    expect(await dbHash()).toBe(before);
  });

  it("with the guard, a live restore takes a safety snapshot first and ends healthy", async () => {
    await fetch(`${ws.baseUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "after-snapshot", qty: 1 }),
    });
    const restored = await json(["restore", "drill", snapshotId, "--execute"], {
      SHIPSAFE_RESTORE_GUARD: "demo",
    });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.doc.plan.type).toBe(3);
    expect(restored.doc.outcome.safetySnapshotId).toMatch(/^snap-/);
    expect((await json(["health"])).code).toBe(0);
    const count = await fetch(`${ws.baseUrl}/orders/count`).then((r) => r.json());
    expect(count).toMatchObject({ count: 4 });
  });

  it("a release gate that fails (backup too old) exits 1 and records nothing as prepared", async () => {
    const snapshotsBefore = (await json(["snapshot", "list"])).doc.snapshots.length;
    const gate = await json(["release", "prepare", "1.0.0", "--max-backup-age", "1ms"]);
    expect(gate.code).toBe(1);
    expect(gate.doc.gate.passed).toBe(false);
    const backup = gate.doc.gate.checks.find((c: { name: string }) => c.name === "backup-age");
    expect(backup).toMatchObject({ status: "fail", subsystem: "backup" });
    expect(backup.diagnostics.join(" ")).toMatch(/shipsafe snapshot create/);
    expect((await json(["snapshot", "list"])).doc.snapshots.length).toBe(snapshotsBefore);
  });

  it("a deploy of an unknown version exits 2 listing the known versions", async () => {
    const r = await run(["deploy", "3.0.0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/known versions: 1\.0\.0/);
  });

  it("Ctrl-C during observation ends the deploy early, releases the lock and seals the ledger", async () => {
    const child = startShipsafe(
      ["--config", ws.configFile, "deploy", "1.0.0", "--observe", "60s", "--baseline", "100ms"],
      { cwd: ws.dir },
    );
    await child.waitForStderr(/observing \d+s\/60s/);
    const t0 = Date.now();
    child.kill("SIGINT");
    const done = await child.done;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(done.stderr).toMatch(/received SIGINT/);
    expect([0, 1]).toContain(done.code);
    expect((await json(["lock", "status"])).doc.locks).toEqual([]);
    const verify = await run(["audit", "verify"]);
    expect(verify.code, verify.stdout).toBe(0);
  });
});

import { createHash } from "node:crypto";
import { chmod, cp, readdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { type CliRun, shipsafe, startShipsafe } from "../helpers/shipsafe-cli.js";

/**
 * Rollbacks driven through the built CLI against the demo app on a local target: real processes on
 * loopback, a real SQLite database, the real snapshot store.
 */
describe("shipsafe rollback on a local target (built CLI, demo app)", () => {
  let ws: DemoWorkspace;
  const run = (args: string[]): Promise<CliRun> =>
    shipsafe(["--config", ws.configFile, ...args], { cwd: ws.dir });
  const json = async (args: string[]) => {
    const r = await run(["--json", ...args]);
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };
  const current = async (): Promise<string> =>
    (await readlink(join(ws.dir, "deploy", "current"))).replace(/^releases\//, "");
  const orders = (): number => {
    const db = new Database(ws.database, { readonly: true });
    try {
      return db.prepare("SELECT count(*) FROM orders").pluck().get() as number;
    } finally {
      db.close();
    }
  };
  const placeOrders = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${ws.baseUrl}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item: `widget-${i}`, qty: 1 }),
      });
      expect(res.status).toBe(201);
    }
  };
  const healthy = async (): Promise<boolean> => (await run(["health"])).code === 0;

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    // 1.1.0: a healthy release that differs from 1.0.0 only by a marker file.
    const src110 = join(ws.dir, "src", "1.1.0");
    await cp(join(ws.dir, "src", "1.0.0"), src110, { recursive: true });
    await writeFile(join(src110, "RELEASE-NOTES.txt"), "1.1.0: same code, new notes\n");
    for (const [version, dir] of [
      ["1.0.0", join(ws.dir, "src", "1.0.0")],
      ["1.1.0", src110],
      ["2.0.0", join(ws.dir, "src", "2.0.0")],
    ] as const) {
      const added = await run(["release", "add", version, "--from", dir]);
      expect(added.code, added.stderr).toBe(0);
    }
    for (const [version, observe] of [
      ["1.0.0", "300ms"],
      ["1.1.0", "300ms"],
    ] as const) {
      expect((await run(["release", "prepare", version])).code).toBe(0);
      const deployed = await run([
        "deploy",
        version,
        "--observe",
        observe,
        "--baseline",
        "200ms",
        "--no-auto-rollback",
      ]);
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
      await placeOrders(5);
    }
  }, 120_000);

  afterAll(async () => {
    if (ws) {
      await run(["lock", "break", "--env", "demo", "--force"]);
      await shipsafe(["--config", ws.configFile, "--json", "release", "list"], { cwd: ws.dir });
      const pidFile = join(ws.dir, "deploy", "run", "service.pid");
      const pid = await readFile(pidFile, "utf8").then(
        (t) => JSON.parse(t).pid as number,
        () => 0,
      );
      if (pid) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
      }
      await rm(ws.dir, { recursive: true, force: true });
    }
  });

  it("--dry-run prints the plan and changes nothing (target root and state checksums)", async () => {
    const before = await fingerprint(ws);
    const plan = await json(["rollback", "--dry-run"]);
    expect(plan.code).toBe(0);
    expect(plan.doc.status).toBe("planned");
    expect(plan.doc.plan).toMatchObject({ fromVersion: "1.1.0", toVersion: "1.0.0", type: 1 });
    expect(plan.doc.plan.steps.map((s: { kind: string }) => s.kind)).toEqual([
      "stop",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(await fingerprint(ws)).toEqual(before);
  });

  it("rolls back to the previous release (Type 1), then a repeat is a no-op", async () => {
    const rolled = await json(["rollback", "--reason", "test"]);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.doc).toMatchObject({
      status: "succeeded",
      plan: { toVersion: "1.0.0", type: 1 },
    });
    expect(await current()).toBe("1.0.0");
    expect(await healthy()).toBe(true);

    const again = await json(["rollback", "--to", "1.0.0"]);
    expect(again.code).toBe(0);
    expect(again.doc.status).toBe("noop");
  });

  it("rolls back to a named version", async () => {
    const rolled = await json(["rollback", "--to", "1.1.0"]);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(await current()).toBe("1.1.0");
    expect(await healthy()).toBe(true);
  });

  it("an unknown version exits 2 listing the known versions", async () => {
    const r = await run(["rollback", "--to", "9.9.9"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[VERSION_UNKNOWN\]/);
    expect(r.stderr).toMatch(/1\.0\.0, 1\.1\.0, 2\.0\.0/);
  });

  it("rolls back to a snapshot (Type 3): takes a safety snapshot, restores the data, ends healthy", async () => {
    const snapshots = (await json(["snapshot", "list"])).doc.snapshots as {
      id: string;
      reason: string;
    }[];
    const s1 = snapshots.find((s) => s.reason === "release:1.1.0");
    expect(s1).toBeDefined();
    const atSnapshot = 5; // 1.0.0 took 5 orders before 1.1.0 was prepared
    await placeOrders(3);
    expect(orders()).toBeGreaterThan(atSnapshot);

    // Data would be lost: refused (exit 4) until the operator accepts it; nothing changes.
    const before = await fingerprint(ws);
    const refused = await run(["rollback", "--to", `snapshot:${s1?.id}`]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/error\[DATA_LOSS_NOT_ACCEPTED\]/);
    expect(refused.stderr).toMatch(/--accept-data-loss/);
    expect(await fingerprint(ws)).toEqual(before);

    const rolled = await json(["rollback", "--to", `snapshot:${s1?.id}`, "--accept-data-loss"]);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.doc.plan).toMatchObject({
      type: 3,
      toVersion: "1.0.0",
      restoreSnapshotId: s1?.id,
    });
    expect(rolled.doc.plan.dataLoss.summary).toMatch(/rows in orders\.orders/);
    expect(orders()).toBe(atSnapshot);
    expect(await current()).toBe("1.0.0");
    expect(await healthy()).toBe(true);
    const safety = rolled.doc.outcome.safetySnapshotId as string;
    expect((await run(["snapshot", "verify", safety])).code).toBe(0);
  });

  it("a snapshot that does not verify is refused before anything is stopped", async () => {
    const snapshots = (await json(["snapshot", "list"])).doc.snapshots as {
      id: string;
      reason: string;
    }[];
    const s1 = snapshots.find((s) => s.reason === "release:1.1.0") as { id: string };
    // Flip one bit in the first blob of every pack file (the blobs are shared by snapshots).
    const packs = await packFiles(join(ws.dir, ".shipsafe", "cas", "objects", "packs"));
    const originals = new Map<string, Buffer>();
    for (const pack of packs) {
      const bytes = await readFile(pack);
      originals.set(pack, Buffer.from(bytes));
      bytes[10] = (bytes[10] ?? 0) ^ 1;
      await chmod(pack, 0o600);
      await writeFile(pack, bytes);
    }
    try {
      expect((await run(["snapshot", "verify", s1.id])).code).toBe(1);
      const before = await fingerprint(ws);
      const r = await run(["rollback", "--to", `snapshot:${s1.id}`, "--accept-data-loss"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/error\[SNAPSHOT_CORRUPT\]/);
      expect(r.stderr).toMatch(/nothing was stopped or changed/);
      expect(await fingerprint(ws)).toEqual(before);
      expect(await healthy()).toBe(true);
    } finally {
      for (const [pack, bytes] of originals) await writeFile(pack, bytes);
    }
  });

  it("a timeout fails the rollback naming the step that overran", async () => {
    const r = await json(["rollback", "--to", "1.1.0", "--timeout", "1ms"]);
    expect(r.code).toBe(1);
    expect(r.doc.status).toBe("failed");
    expect(r.doc.outcome.failure.message).toMatch(
      /step \d \([a-z-]+\) overran the 1ms rollback timeout/,
    );
    expect(r.doc.outcome.failure.code).toBe("ROLLBACK_TIMEOUT");
    // --resume retries the failed plan from the step that failed.
    const fixed = await json(["rollback", "--resume"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.doc.plan.id).toBe(r.doc.plan.id);
    expect(await current()).toBe("1.1.0");
    expect(await healthy()).toBe(true);
  });

  it("SIGKILL at each step of a Type 3 plan, then a plain rerun resumes and ends healthy with no data lost", async () => {
    const snapshots = (await json(["snapshot", "list"])).doc.snapshots as {
      id: string;
      reason: string;
    }[];
    const s1 = snapshots.find((s) => s.reason === "release:1.1.0") as { id: string };
    const steps = [
      "stop",
      "safety-snapshot",
      "restore-state",
      "switch-release",
      "start",
      "verify-health",
    ];
    for (const [index, step] of steps.entries()) {
      // Start from 1.1.0 with extra orders, so the restore has something to discard.
      if ((await current()) !== "1.1.0")
        expect((await run(["rollback", "--to", "1.1.0"])).code).toBe(0);
      await placeOrders(2);
      const beforeKill = orders();
      const child = startShipsafe(
        ["--config", ws.configFile, "rollback", "--to", `snapshot:${s1.id}`, "--accept-data-loss"],
        { cwd: ws.dir },
      );
      await child.waitForStderr(new RegExp(`→ ${index + 1}/6 ${step}`));
      child.kill("SIGKILL");
      await child.done;

      const resumed = await json(["rollback"]);
      expect(resumed.code, `${step}: ${resumed.stderr}`).toBe(0);
      expect(resumed.doc.status).toBe("succeeded");
      expect(resumed.doc.plan.restoreSnapshotId).toBe(s1.id);
      expect(await current()).toBe("1.0.0");
      expect(await healthy()).toBe(true);
      expect(orders()).toBe(5);
      // Nothing is unrecoverable: the state from before the rollback is in a verified safety snapshot.
      const safety = resumed.doc.outcome.safetySnapshotId as string;
      const show = await json(["snapshot", "show", safety]);
      const tables = show.doc.assets[0].details.tables as Record<string, number>;
      expect(tables.orders, `${step}: safety snapshot rows`).toBe(beforeKill);
      expect((await run(["snapshot", "verify", safety])).code).toBe(0);
    }
    const verify = await run(["audit", "verify"]);
    expect(verify.code, verify.stdout).toBe(0);
  }, 180_000);
});

async function packFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await packFiles(path)));
    else if (entry.name.endsWith(".pack")) out.push(path);
  }
  return out;
}

/** sha256 of every file and symlink under the target root, plus the database file. */
async function fingerprint(ws: DemoWorkspace): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name === "logs" || entry.name === "run") continue; // the service's own log and pid
      if (entry.isSymbolicLink()) out[path] = `link:${await readlink(path)}`;
      else if (entry.isDirectory()) await walk(path);
      else
        out[path] = createHash("sha256")
          .update(await readFile(path))
          .digest("hex");
    }
  };
  await walk(join(ws.dir, "deploy"));
  out.db = createHash("sha256")
    .update(await readFile(ws.database))
    .digest("hex");
  out.dbSize = String((await stat(ws.database)).size);
  return out;
}

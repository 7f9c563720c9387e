import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shipsafe, startShipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const CONFIG = `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./target, start: [node, server.js] }
  staging:
    target: { kind: local, root: ./target-staging, start: [node, server.js] }
`;

describe("environment locks across processes", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
  });
  afterEach(() => cleanup());

  it("a second mutating process on the same environment is refused with exit 4 naming the holder", async () => {
    const holder = startShipsafe(["lock", "hold", "--env", "production", "--reason", "freeze"], {
      cwd: dir,
      env: { SHIPSAFE_ACTOR: "alice" },
    });
    await holder.waitForStderr(/holding the lock/);

    const refused = await shipsafe(["audit", "note", "--env", "production", "hello"], {
      cwd: dir,
      env: { SHIPSAFE_ACTOR: "bob" },
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/error\[LOCK_HELD\]/);
    expect(refused.stderr).toContain("alice");
    expect(refused.stderr).toContain(`pid ${holder.pid}`);
    expect(refused.stderr).toMatch(/lock hold/);

    const json = await shipsafe(["--json", "audit", "note", "--env", "production", "x"], {
      cwd: dir,
    });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout).error.code).toBe("LOCK_HELD");

    // Another environment is not blocked.
    const other = await shipsafe(["audit", "note", "--env", "staging", "fine"], { cwd: dir });
    expect(other.code, other.stderr).toBe(0);

    const status = await shipsafe(["--json", "lock", "status"], { cwd: dir });
    expect(JSON.parse(status.stdout).locks).toEqual([
      expect.objectContaining({ env: "production", actor: "alice", pid: holder.pid }),
    ]);

    holder.kill("SIGTERM");
    const held = await holder.done;
    expect(held.code, held.stderr).toBe(0);

    const after = await shipsafe(["audit", "note", "--env", "production", "now"], { cwd: dir });
    expect(after.code, after.stderr).toBe(0);
    const verify = await shipsafe(["audit", "verify"], { cwd: dir });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it("a lock left by a killed process is taken over, and lock break removes it on request", async () => {
    const holder = startShipsafe(["lock", "hold", "--env", "production"], { cwd: dir });
    await holder.waitForStderr(/holding the lock/);
    holder.kill("SIGKILL");
    await holder.done;

    const status = await shipsafe(["--json", "lock", "status"], { cwd: dir });
    expect(JSON.parse(status.stdout).locks).toHaveLength(1);
    const broken = await shipsafe(["lock", "break", "--env", "production"], { cwd: dir });
    expect(broken.code, broken.stderr).toBe(0);
    expect(broken.stdout).toMatch(/removed the lock/);

    const next = startShipsafe(["lock", "hold", "--env", "production"], { cwd: dir });
    await next.waitForStderr(/holding the lock/);
    next.kill("SIGKILL");
    await next.done;
    // Stale (holder pid gone): the next mutation takes it over without `lock break`.
    const note = await shipsafe(["audit", "note", "--env", "production", "after crash"], {
      cwd: dir,
    });
    expect(note.code, note.stderr).toBe(0);
    // The takeover is on the record, naming the dead holder.
    const tail = await shipsafe(["--json", "audit", "tail", "-n", "2"], { cwd: dir });
    const entries = JSON.parse(tail.stdout).entries as { kind: string }[];
    expect(entries[0]).toMatchObject({
      kind: "lock.taken-over",
      data: { from: { pid: next.pid } },
    });
    expect(entries[1]).toMatchObject({ kind: "operator.note" });
    const verify = await shipsafe(["audit", "verify"], { cwd: dir });
    expect(verify.code, verify.stdout).toBe(0);
  });
});

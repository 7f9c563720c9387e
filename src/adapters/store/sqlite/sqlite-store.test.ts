import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isShipsafeError } from "../../../domain/errors.js";
import { nextLedgerEntry } from "../../../domain/ledger/next-ledger-entry.js";
import type { ReleaseRecord } from "../../../domain/model/records.js";
import type { LockHolder } from "../../../ports/env-lock.js";
import type { Store } from "../../../ports/store.js";
import { LATEST_STORE_VERSION } from "./migrations.js";
import { LEDGER_BATCH_SIZE } from "./sqlite-ledger-store.js";
import { openSqliteStore, STORE_FILE } from "./sqlite-store.js";

const release = (id: string, env: string, createdAt: string): ReleaseRecord => ({
  id,
  service: "api",
  env,
  version: id,
  createdAt,
  status: "prepared",
  doc: { notes: [id] },
});
const input = (n: number) => ({
  actor: "a",
  env: "prod",
  kind: "k",
  subject: `s${n}`,
  data: { n },
});

describe("openSqliteStore (real SQLite file)", () => {
  let stateDir: string;
  let store: Store;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "shipsafe-store-"));
    store = await openSqliteStore(stateDir);
  });
  afterEach(async () => {
    await store.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it("applies its migrations and uses WAL with the documented pragmas", async () => {
    expect(await store.schemaVersion()).toBe(LATEST_STORE_VERSION);
    const db = new Database(join(stateDir, STORE_FILE), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    db.close();
    for (const t of [
      "releases",
      "snapshots",
      "gate_runs",
      "rollbacks",
      "rollback_steps",
      "drills",
    ]) {
      expect(tables).toContain(t);
    }
    for (const t of ["ledger", "ledger_checkpoints", "env_locks", "schema_migrations"]) {
      expect(tables).toContain(t);
    }
  });

  it("reopens an existing store and refuses a database newer than the code", async () => {
    await store.close();
    store = await openSqliteStore(stateDir);
    expect(await store.schemaVersion()).toBe(LATEST_STORE_VERSION);
    await store.close();
    const db = new Database(join(stateDir, STORE_FILE));
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
    db.close();
    const error = await openSqliteStore(stateDir).catch((e: unknown) => e);
    expect(isShipsafeError(error) && error.code).toBe("STORE_TOO_NEW");
  });

  it("puts, replaces, gets and lists records newest first, by env and limit", async () => {
    await store.releases.put(release("r1", "prod", "2025-01-01T00:00:00Z"));
    await store.releases.put(release("r2", "staging", "2025-01-02T00:00:00Z"));
    await store.releases.put(release("r3", "prod", "2025-01-03T00:00:00Z"));
    await store.releases.put({
      ...release("r1", "prod", "2025-01-01T00:00:00Z"),
      status: "active",
    });
    expect(await store.releases.get("r1")).toMatchObject({
      status: "active",
      doc: { notes: ["r1"] },
    });
    expect(await store.releases.get("nope")).toBeUndefined();
    const ids = async (f?: { env?: string; limit?: number }) =>
      (await store.releases.list(f)).map((r) => r.id);
    expect(await ids()).toEqual(["r3", "r2", "r1"]);
    expect(await ids({ env: "prod" })).toEqual(["r3", "r1"]);
    expect(await ids({ limit: 1 })).toEqual(["r3"]);
    expect(await ids({ env: "prod", limit: 1 })).toEqual(["r3"]);
  });

  it("round-trips every other record kind", async () => {
    const at = "2025-01-01T00:00:00Z";
    const snapshot = { id: "s1", env: "prod", createdAt: at, doc: { assets: [] } };
    const gateRun = {
      id: "g1",
      gate: "release",
      env: "prod",
      startedAt: at,
      passed: true,
      doc: {},
    };
    const rollback = {
      id: "rb1",
      env: "prod",
      createdAt: at,
      status: "planned",
      doc: { steps: [] },
    };
    const drill = {
      id: "d1",
      env: "staging",
      kind: "restore",
      startedAt: at,
      passed: false,
      doc: {},
    };
    await store.snapshots.put(snapshot);
    await store.gateRuns.put(gateRun);
    await store.rollbacks.put(rollback);
    await store.drills.put(drill);
    expect(await store.snapshots.list()).toEqual([snapshot]);
    expect(await store.gateRuns.get("g1")).toEqual(gateRun);
    expect(await store.rollbacks.list({ env: "prod" })).toEqual([rollback]);
    expect(await store.drills.list({ env: "prod" })).toEqual([]);
    expect(await store.drills.get("d1")).toEqual(drill);
  });

  it("keeps every step journal line in order", async () => {
    const line = (index: number, status: "running" | "succeeded") => ({
      rollbackId: "rb1",
      index,
      name: `step-${index}`,
      status,
      at: "t",
      detail: { index },
    });
    await store.journal.record(line(0, "running"));
    await store.journal.record(line(0, "succeeded"));
    await store.journal.record(line(1, "running"));
    await store.journal.record({ ...line(0, "running"), rollbackId: "other" });
    expect(await store.journal.entries("rb1")).toEqual([
      line(0, "running"),
      line(0, "succeeded"),
      line(1, "running"),
    ]);
    expect(await store.journal.entries("none")).toEqual([]);
  });

  it("appends, streams across batches, tails and counts the ledger", async () => {
    expect(await store.ledger.last()).toBeUndefined();
    expect(
      await store.ledger.addCheckpoint(() => {
        throw new Error("not called");
      }),
    ).toBeUndefined();
    const total = LEDGER_BATCH_SIZE + 5;
    for (let n = 1; n <= total; n++) {
      await store.ledger.append((last) => nextLedgerEntry(last, input(n), `t${n}`));
    }
    expect(await store.ledger.count()).toBe(total);
    expect((await store.ledger.last())?.seq).toBe(total);
    const seqs: number[] = [];
    for await (const e of store.ledger.entries()) seqs.push(e.seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const from: number[] = [];
    for await (const e of store.ledger.entries({ fromSeq: total - 2 })) from.push(e.seq);
    expect(from).toEqual([total - 2, total - 1, total]);
    expect((await store.ledger.tail(2)).map((e) => e.seq)).toEqual([total - 1, total]);
    const first = (await store.ledger.tail(total)).at(0);
    expect(first).toEqual(nextLedgerEntry(undefined, input(1), "t1"));
  });

  it("refuses an append that does not continue the chain", async () => {
    await store.ledger.append((last) => nextLedgerEntry(last, input(1), "t"));
    await expect(
      store.ledger.append(() => nextLedgerEntry(undefined, input(2), "t")),
    ).rejects.toThrow(/out of line/);
    expect(await store.ledger.count()).toBe(1);
  });

  it("writes checkpoints for the current last entry", async () => {
    const e1 = await store.ledger.append((last) => nextLedgerEntry(last, input(1), "t"));
    const cp = await store.ledger.addCheckpoint((last) => ({
      seq: last.seq,
      hash: last.hash,
      at: "t",
      keyId: "k",
      signature: "s",
    }));
    expect(cp).toEqual({ seq: 1, hash: e1.hash, at: "t", keyId: "k", signature: "s" });
    expect(await store.ledger.checkpoints()).toEqual([cp]);
  });

  describe("env locks", () => {
    const holder = (pid: number): LockHolder => ({
      pid,
      host: hostname(),
      actor: "alice",
      command: "rollback",
      acquiredAt: "2025-01-01T00:00:00Z",
    });
    const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

    it("grants, refuses a live holder, releases", async () => {
      const first = await store.locks.acquire("prod", holder(process.pid));
      expect(first.acquired).toBe(true);
      const second = await store.locks.acquire("prod", { ...holder(process.pid), actor: "bob" });
      expect(second).toEqual({ acquired: false, holder: holder(process.pid) });
      expect(await store.locks.holder("prod")).toEqual({
        env: "prod",
        ...holder(process.pid),
        stale: false,
      });
      expect((await store.locks.acquire("staging", holder(process.pid))).acquired).toBe(true);
      expect(await store.locks.list()).toEqual([
        { env: "prod", ...holder(process.pid), stale: false },
        { env: "staging", ...holder(process.pid), stale: false },
      ]);
      if (first.acquired) await first.release();
      expect(await store.locks.holder("prod")).toBeUndefined();
    });

    it("takes over a lock whose holder process is dead on this host", async () => {
      const dead = deadPid();
      expect((await store.locks.acquire("prod", holder(dead))).acquired).toBe(true);
      expect((await store.locks.holder("prod"))?.stale).toBe(true);
      const mine = await store.locks.acquire("prod", holder(process.pid));
      expect(mine.acquired).toBe(true);
      expect(await store.locks.holder("prod")).toMatchObject({
        ...holder(process.pid),
        stale: false,
      });
    });

    it("never presumes a holder on another host dead", async () => {
      await store.locks.acquire("prod", { ...holder(deadPid()), host: "elsewhere" });
      expect((await store.locks.holder("prod"))?.stale).toBe(false);
      expect((await store.locks.acquire("prod", holder(process.pid))).acquired).toBe(false);
    });

    it("force-releases, and a stale release never removes the new holder's lock", async () => {
      const old = await store.locks.acquire("prod", holder(process.pid));
      expect(await store.locks.forceRelease("prod")).toEqual(holder(process.pid));
      expect(await store.locks.forceRelease("prod")).toBeUndefined();
      const fresh = await store.locks.acquire("prod", { ...holder(process.pid), actor: "bob" });
      expect(fresh.acquired).toBe(true);
      if (old.acquired) await old.release();
      expect((await store.locks.holder("prod"))?.actor).toBe("bob");
    });
  });
});

import { describe, expect, it } from "vitest";
import { buildRollbackPlan, type RollbackFacts } from "./build-rollback-plan.js";
import { migration } from "./migration-fixtures.test-support.js";

const base: RollbackFacts = {
  id: "rb-1",
  env: "production",
  service: "shop",
  now: "2026-11-24T12:10:00.000Z",
  currentVersion: "2.0.0",
  toVersion: "1.0.0",
  reason: "error rate",
  emergency: false,
  timeoutMs: 300_000,
  restoreState: false,
  snapshot: {
    id: "snap-a",
    takenAt: "2026-11-24T12:00:00.000Z",
    assets: [{ name: "db", schemaVersion: 1, tables: { orders: 100 } }],
  },
  live: [{ name: "db", schemaVersion: 2, tables: { orders: 130, coupons: 5 } }],
  migrations: null,
  maintenance: { kind: "stop" },
};

describe("buildRollbackPlan", () => {
  it("plans an application-only rollback (Type 1) and warns when the schema moved on", () => {
    const plan = buildRollbackPlan(base);
    expect(plan.type).toBe(1);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "stop",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(plan.dataLoss).toBeNull();
    expect(plan.warnings[0]).toMatch(/schema version 1 → 2/);
    expect(plan.warnings[0]).toMatch(/new tables coupons/);
    expect(plan.warnings[0]).toMatch(/--restore-state/);
  });

  it("plans a full-stack rollback (Type 3) stating the data it discards", () => {
    const plan = buildRollbackPlan({ ...base, restoreState: true });
    expect(plan.type).toBe(3);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "stop",
      "safety-snapshot",
      "restore-state",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(plan.restoreSnapshotId).toBe("snap-a");
    expect(plan.dataLoss?.snapshotAgeMs).toBe(600_000);
    expect(plan.dataLoss?.assets).toEqual([
      {
        name: "db",
        tables: [
          { table: "orders", liveRows: 130, snapshotRows: 100 },
          { table: "coupons", liveRows: 5, snapshotRows: null },
        ],
      },
    ]);
    expect(plan.dataLoss?.summary).toMatch(/30 rows in db\.orders/);
    expect(plan.dataLoss?.summary).toMatch(/taken 10m ago/);
  });

  it("refuses a state restore without a snapshot for the target version", () => {
    expect(() => buildRollbackPlan({ ...base, restoreState: true, snapshot: null })).toThrow(
      expect.objectContaining({ code: "NO_SNAPSHOT_FOR_VERSION", kind: "refused" }),
    );
  });

  it("Type 1 names the reason: no migrations between the releases", () => {
    const plan = buildRollbackPlan({ ...base, migrations: { between: [], targetHead: "0001" } });
    expect(plan.type).toBe(1);
    expect(plan.stateMethod).toBeNull();
    expect(plan.typeReasons).toEqual([
      "no migrations between 2.0.0 and 1.0.0: the application only",
    ]);
    expect(plan.snapshotAge).toEqual({
      snapshotId: "snap-a",
      takenAt: "2026-11-24T12:00:00.000Z",
      ageMs: 600_000,
    });
  });

  it("Type 2 when every migration in between is additive: no state step, no data loss", () => {
    const plan = buildRollbackPlan({
      ...base,
      migrations: {
        between: [
          migration("0002_add_note", "additive", {
            statement: "ALTER TABLE orders ADD COLUMN note TEXT",
            reason: "adds nullable column orders.note",
          }),
        ],
        targetHead: "0001_init",
      },
    });
    expect(plan.type).toBe(2);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "stop",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(plan.dataLoss).toBeNull();
    expect(plan.warnings).toEqual([]);
    expect(plan.migrations).toEqual([
      { id: "0002_add_note", verdict: "additive", reversible: null },
    ]);
    expect(plan.typeReasons.at(-1)).toMatch(
      /every migration in between is additive: the schema stays/,
    );
  });

  it("Type 3 by down-migrations when every one passed the round-trip check, stating what the downs drop", () => {
    const plan = buildRollbackPlan({
      ...base,
      migrations: {
        between: [
          migration("0002_coupons", "additive", {
            reversible: true,
            down: "DROP TABLE coupons;",
          }),
          migration("0003_rename_qty", "breaking", {
            statement: "ALTER TABLE orders RENAME COLUMN qty TO quantity",
            reason: "renames column orders.qty",
            reversible: true,
            down: "ALTER TABLE orders RENAME COLUMN quantity TO qty; ALTER TABLE orders DROP COLUMN discount;",
          }),
        ],
        targetHead: "0001_init",
      },
    });
    expect(plan.type).toBe(3);
    expect(plan.stateMethod).toBe("down-migrations");
    expect(plan.restoreSnapshotId).toBeNull();
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "stop",
      "safety-snapshot",
      "migrate-down",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(plan.steps[2]?.params).toEqual({
      release: "2.0.0",
      to: "0001_init",
      revert: ["0003_rename_qty", "0002_coupons"],
    });
    expect(plan.typeReasons[0]).toBe(
      '0003_rename_qty is breaking: statement 1 "ALTER TABLE orders RENAME COLUMN qty TO quantity" renames column orders.qty',
    );
    expect(plan.dataLoss).toMatchObject({ method: "down-migrations", snapshotId: null });
    expect(plan.dataLoss?.assets).toEqual([
      {
        name: "db",
        tables: [
          { table: "orders", liveRows: 130, snapshotRows: 130, columns: ["discount"] },
          { table: "coupons", liveRows: 5, snapshotRows: null },
        ],
      },
    ]);
    expect(plan.dataLoss?.summary).toBe(
      "the down-migrations discard column db.orders.discount (values in 130 rows) and table db.coupons (5 rows); nothing else is lost (no restore)",
    );
  });

  it("Type 3 by restore when a breaking migration has no working down, naming migration and statement", () => {
    const plan = buildRollbackPlan({
      ...base,
      migrations: {
        between: [
          migration("0002_drop_note", "breaking", {
            statement: "ALTER TABLE orders DROP COLUMN note",
            reason: "drops column orders.note",
            reversible: false,
          }),
        ],
        targetHead: "0001_init",
      },
    });
    expect(plan.type).toBe(3);
    expect(plan.stateMethod).toBe("restore");
    expect(plan.restoreSnapshotId).toBe("snap-a");
    expect(plan.typeReasons).toEqual([
      '0002_drop_note is breaking: statement 1 "ALTER TABLE orders DROP COLUMN note" drops column orders.note',
      "0002_drop_note cannot be reverted by its down-migration (no down-migration): the snapshot of 1.0.0 is restored",
    ]);
    expect(plan.dataLoss?.method).toBe("restore");
    expect(plan.dataLoss?.summary).toMatch(/30 rows in db\.orders/);
  });

  it("an unknown migration is Type 3, and without a snapshot the plan refuses saying why", () => {
    const facts: RollbackFacts = {
      ...base,
      snapshot: null,
      migrations: {
        between: [
          migration("0002_do_block", "unknown", {
            statement: "DO $$ BEGIN END $$",
            reason: "runs a DO block",
          }),
        ],
        targetHead: null,
      },
    };
    expect(() => buildRollbackPlan(facts)).toThrow(
      expect.objectContaining({
        code: "NO_SNAPSHOT_FOR_VERSION",
        kind: "refused",
        message: expect.stringContaining("0002_do_block is unknown"),
        hint: expect.stringContaining("--to snapshot:<id>"),
      }),
    );
  });

  it("an explicit --restore-state wins over reversible downs", () => {
    const plan = buildRollbackPlan({
      ...base,
      restoreState: true,
      migrations: {
        between: [migration("0002_x", "breaking", { reversible: true, down: "SELECT 1" })],
        targetHead: "0001_init",
      },
    });
    expect(plan.stateMethod).toBe("restore");
    expect(plan.typeReasons[0]).toMatch(
      /a restore of the snapshot taken while 1\.0\.0 ran was asked for/,
    );
  });

  it("a command or HTTP maintenance mode is switched on first and off last", () => {
    const plan = buildRollbackPlan({
      ...base,
      maintenance: {
        kind: "http",
        on: "POST http://lb/maintenance",
        off: "DELETE http://lb/maintenance",
      },
    });
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "maintenance-on",
      "stop",
      "switch-release",
      "start",
      "verify-health",
      "maintenance-off",
    ]);
    expect(plan.steps[0]?.params).toEqual({ via: "http", call: "POST http://lb/maintenance" });
    expect(plan.steps[5]?.params).toEqual({ via: "http", call: "DELETE http://lb/maintenance" });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildRollbackPlan, type RollbackFacts } from "./build-rollback-plan.js";

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

  it("every plan stops first, restores only after a safety snapshot, and ends verifying health", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.option(fc.constantFrom("1.0.0", "2.0.0"), { nil: null }),
        fc.dictionary(fc.constantFrom("a", "b", "c"), fc.nat(1000)),
        (restoreState, currentVersion, tables) => {
          const plan = buildRollbackPlan({
            ...base,
            restoreState,
            currentVersion,
            live: [{ name: "db", schemaVersion: 1, tables }],
          });
          const kinds = plan.steps.map((s) => s.kind);
          expect(kinds[0]).toBe("stop");
          expect(kinds.at(-1)).toBe("verify-health");
          expect(plan.steps.map((s) => s.index)).toEqual(kinds.map((_, i) => i));
          if (kinds.includes("restore-state")) {
            expect(kinds.indexOf("safety-snapshot")).toBeLessThan(kinds.indexOf("restore-state"));
          }
          expect(plan.type).toBe(restoreState ? 3 : 1);
          expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
        },
      ),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isShipsafeError } from "../errors.js";
import type { MigrationVerdict } from "../migrations/migration.js";
import { buildRollbackPlan, type RollbackFacts } from "./build-rollback-plan.js";
import { migration } from "./migration-fixtures.test-support.js";
import { STEP_KINDS } from "./plan.js";

const migrationArb = fc.record({
  verdict: fc.constantFrom<MigrationVerdict>("additive", "breaking", "unknown"),
  reversible: fc.option(fc.boolean(), { nil: undefined }),
  down: fc.option(
    fc.constantFrom("DROP TABLE coupons", "ALTER TABLE orders DROP COLUMN note", "SELECT 1"),
    { nil: null },
  ),
});

const factsArb = fc.record({
  restoreState: fc.boolean(),
  currentVersion: fc.option(fc.constantFrom("1.0.0", "2.0.0"), { nil: null }),
  tables: fc.dictionary(fc.constantFrom("orders", "coupons", "c"), fc.nat(1000)),
  withSnapshot: fc.boolean(),
  migrations: fc.option(fc.array(migrationArb, { maxLength: 4 }), { nil: null }),
  maintenance: fc.constantFrom<"stop" | "command" | "http">("stop", "command", "http"),
});

type Input = typeof factsArb extends fc.Arbitrary<infer T> ? T : never;

function facts(input: Input): RollbackFacts {
  return {
    id: "rb-1",
    env: "production",
    service: "shop",
    now: "2026-11-24T12:10:00.000Z",
    currentVersion: input.currentVersion,
    toVersion: "1.0.0",
    reason: "",
    emergency: false,
    timeoutMs: 300_000,
    restoreState: input.restoreState,
    snapshot: input.withSnapshot
      ? {
          id: "snap-a",
          takenAt: "2026-11-24T12:00:00.000Z",
          assets: [{ name: "db", schemaVersion: 1, tables: { orders: 100 } }],
        }
      : null,
    live: [{ name: "db", schemaVersion: 1, tables: input.tables }],
    migrations:
      input.migrations === null
        ? null
        : {
            between: input.migrations.map((m, i) =>
              migration(`000${i + 2}_m`, m.verdict, {
                ...(m.reversible === undefined ? {} : { reversible: m.reversible }),
                down: m.down,
              }),
            ),
            targetHead: "0001_init",
          },
    maintenance:
      input.maintenance === "stop"
        ? { kind: "stop" }
        : { kind: input.maintenance, on: "on", off: "off" },
  };
}

describe("buildRollbackPlan (properties)", () => {
  it("every plan refuses, or stops writes first, verifies health last (before lifting maintenance), restores only after a safety snapshot, and Type 1/2 never touch state", () => {
    fc.assert(
      fc.property(factsArb, (input) => {
        let plan: ReturnType<typeof buildRollbackPlan>;
        try {
          plan = buildRollbackPlan(facts(input));
        } catch (error) {
          // The only refusal: a restore is needed and there is no snapshot to restore.
          expect(isShipsafeError(error) && error.kind === "refused").toBe(true);
          expect(input.withSnapshot).toBe(false);
          return;
        }
        const kinds = plan.steps.map((s) => s.kind);
        expect(plan.steps.map((s) => s.index)).toEqual(kinds.map((_, i) => i));
        const maintained = input.maintenance !== "stop";
        expect(kinds.slice(0, maintained ? 2 : 1)).toEqual(
          maintained ? ["maintenance-on", "stop"] : ["stop"],
        );
        expect(kinds.slice(maintained ? -2 : -1)).toEqual(
          maintained ? ["verify-health", "maintenance-off"] : ["verify-health"],
        );
        for (const changing of ["restore-state", "migrate-down"] as const) {
          if (kinds.includes(changing)) {
            expect(kinds.indexOf("safety-snapshot")).toBeGreaterThanOrEqual(0);
            expect(kinds.indexOf("safety-snapshot")).toBeLessThan(kinds.indexOf(changing));
          }
        }
        const between = input.migrations ?? [];
        if (plan.type !== 3) {
          expect(kinds.filter((k) => STEP_KINDS[k].touchesState)).toEqual([]);
          expect(kinds).not.toContain("safety-snapshot");
          expect(plan.dataLoss).toBeNull();
          expect(plan.type).toBe(between.length === 0 ? 1 : 2);
        } else {
          expect(kinds.filter((k) => STEP_KINDS[k].touchesState)).toHaveLength(1);
          expect(input.restoreState || between.some((m) => m.verdict !== "additive")).toBe(true);
        }
        if (plan.stateMethod === "down-migrations") {
          expect(between.every((m) => m.reversible === true)).toBe(true);
          expect(plan.restoreSnapshotId).toBeNull();
        }
        expect(plan.typeReasons.length).toBeGreaterThan(0);
        expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
      }),
    );
  });
});

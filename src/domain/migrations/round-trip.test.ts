import { describe, expect, it } from "vitest";
import type { DatabaseSchema } from "../schema/schema.js";
import { column, table } from "../schema/schema.test-support.js";
import { reversibilityGate } from "./reversibility-gate.js";
import { judgeRoundTrip } from "./round-trip.js";

const users = (...extra: string[]): DatabaseSchema => ({
  tables: [table("users", [column("id", "integer", false), ...extra.map((n) => column(n))])],
  views: [],
});

describe("judgeRoundTrip", () => {
  it("reversible when down gives back the schema from before and up again the same schema", () => {
    const r = judgeRoundTrip("0001_add_email", {
      before: users(),
      up: users("email"),
      down: users(),
      reUp: users("email"),
    });
    expect(r.status).toBe("reversible");
  });

  it("a down that leaves a column is non-reversible and names it", () => {
    expect(
      judgeRoundTrip("0003_add_profile", {
        before: users(),
        up: users("nickname", "avatar"),
        down: users("nickname"),
        reUp: users("nickname", "avatar"),
      }),
    ).toEqual({
      migrationId: "0003_add_profile",
      status: "non-reversible",
      reason: "down leaves column users.nickname",
    });
  });

  it("a down that drops too much names what it does not restore", () => {
    expect(
      judgeRoundTrip("0004", {
        before: users("a"),
        up: users("a", "b"),
        down: users(),
        reUp: users("b"),
      }).reason,
    ).toBe("down does not restore column users.a");
  });
});

describe("reversibilityGate", () => {
  const results = [
    { migrationId: "0001", status: "reversible" as const, reason: "ok" },
    { migrationId: "0002", status: "non-reversible" as const, reason: "no down-migration" },
  ];

  it("a non-reversible migration without a waiver fails the gate", () => {
    const gate = reversibilityGate(results, []);
    expect(gate.passed).toBe(false);
    expect(gate.decisions.map((d) => d.status)).toEqual(["pass", "fail"]);
    expect(gate.decisions[1]?.diagnostic).toBe("0002 is non-reversible: no down-migration");
  });

  it("a waiver turns it into a pass that names who, why and when", () => {
    const waiver = {
      migration: "0002",
      by: "ada@example.com",
      reason: "phone is write-only",
      at: "2025-11-20",
    };
    const gate = reversibilityGate(results, [waiver, { ...waiver, migration: "0009" }]);
    expect(gate.passed).toBe(true);
    expect(gate.decisions[1]).toEqual({
      migrationId: "0002",
      status: "waived",
      diagnostic:
        "0002 is non-reversible (no down-migration); waived by ada@example.com on 2025-11-20: phone is write-only",
      waiver,
    });
  });
});

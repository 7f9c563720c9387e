import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retentionPlan } from "./retention-plan.js";

const now = Date.parse("2026-11-24T12:00:00Z");
const snap = (id: string, hoursAgo: number, reason = "manual") => ({
  id,
  createdAt: new Date(now - hoursAgo * 3600_000).toISOString(),
  reason,
});

describe("retentionPlan", () => {
  const snapshots = [
    snap("a", 1),
    snap("b", 30),
    snap("c", 80, "release:1.0.0"),
    snap("d", 200),
    snap("e", 5),
  ];

  it("keeps the union of keep-last, keep-within and keep-releases, newest first", () => {
    const plan = retentionPlan(
      snapshots,
      { keepLast: 2, keepWithinMs: 48 * 3600_000, keepReleases: true },
      now,
    );
    expect(plan.map((d) => [d.id, d.keep])).toEqual([
      ["a", true],
      ["e", true],
      ["b", true],
      ["c", true],
      ["d", false],
    ]);
    expect(plan.find((d) => d.id === "c")?.reasons).toEqual(["release 1.0.0"]);
  });

  it("keeps everything when no rule is given, and always keeps protected snapshots", () => {
    expect(retentionPlan(snapshots, {}, now).every((d) => d.keep)).toBe(true);
    const plan = retentionPlan(snapshots, { keepLast: 1 }, now, new Map([["d", "rollback rb-1"]]));
    expect(plan.filter((d) => d.keep).map((d) => d.id)).toEqual(["a", "d"]);
  });

  it("never removes the newest keepLast snapshots, whatever the data", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ hours: fc.nat(10_000), release: fc.boolean() }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        (items, keepLast) => {
          const list = items.map((it, i) =>
            snap(`s${i}`, it.hours, it.release ? "release:1" : "manual"),
          );
          const plan = retentionPlan(list, { keepLast }, now);
          expect(plan.slice(0, keepLast).every((d) => d.keep)).toBe(true);
          expect(plan).toHaveLength(list.length);
        },
      ),
    );
  });
});

import { describe, expect, it } from "vitest";
import { blockingDependencies, findCycle } from "./check-order.js";

describe("check order", () => {
  it("finds a cycle and names it", () => {
    expect(
      findCycle([
        { name: "a", after: [] },
        { name: "b", after: ["c"] },
        { name: "c", after: ["d"] },
        { name: "d", after: ["b"] },
      ]),
    ).toEqual(["b", "c", "d", "b"]);
    expect(findCycle([{ name: "a", after: ["a"] }])).toEqual(["a", "a"]);
  });

  it("accepts a DAG", () => {
    expect(
      findCycle([
        { name: "build", after: [] },
        { name: "tests", after: ["build"] },
        { name: "lint", after: ["build"] },
        { name: "ship", after: ["tests", "lint"] },
      ]),
    ).toBeUndefined();
  });

  it("blocks a check whose dependency failed or errored, not one that warned", () => {
    const finished = new Map([
      ["build", { status: "fail" }],
      ["lint", { status: "warn" }],
      ["db", { status: "error" }],
      ["n/a", { status: "inconclusive" }],
    ]);
    expect(blockingDependencies(["build", "lint", "db", "n/a"], finished)).toEqual(["build", "db"]);
    expect(blockingDependencies(["lint"], finished)).toEqual([]);
  });
});

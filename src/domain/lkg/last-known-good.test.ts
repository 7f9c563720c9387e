import { describe, expect, it } from "vitest";
import {
  describeRejections,
  type GateRunFacts,
  type ReleaseFacts,
  releaseFacts,
  selectLastKnownGood,
} from "./last-known-good.js";

const release = (version: string, deployedAt: string | null, over: Partial<ReleaseFacts> = {}) =>
  ({
    version,
    status: "healthy",
    createdAt: "2026-01-01T00:00:00.000Z",
    deployedAt,
    verdict: "healthy",
    observedHealthy: true,
    ...over,
  }) satisfies ReleaseFacts;

let seq = 0;
const run = (version: string | null, passed: boolean, gate = "release", at?: string) =>
  ({
    id: `gate-${++seq}`,
    gate,
    version,
    startedAt: at ?? `2026-01-01T00:00:${String(seq).padStart(2, "0")}.000Z`,
    passed,
  }) satisfies GateRunFacts;

describe("selectLastKnownGood", () => {
  it("picks the newest deployed release that passed its gates and stayed healthy", () => {
    const releases = [
      release("1.0.0", "2026-01-02T00:00:00.000Z"),
      release("1.1.0", "2026-01-03T00:00:00.000Z"),
      release("1.2.0", "2026-01-04T00:00:00.000Z", { status: "failed", verdict: "failed" }),
    ];
    const runs = [run("1.0.0", true), run("1.1.0", true), run("1.2.0", true)];
    const selection = selectLastKnownGood(releases, runs);
    expect(selection.lkg?.version).toBe("1.1.0");
    expect(selection.candidates.map((c) => c.version)).toEqual(["1.2.0", "1.1.0", "1.0.0"]);
    expect(selection.candidates[0]?.reasons).toEqual([
      "its deploy verdict was failed",
      "its observation verdict was failed, not healthy",
    ]);
  });

  it("refuses a rolled-back release even though its verdict was healthy", () => {
    const releases = [
      release("1.0.0", "2026-01-02T00:00:00.000Z", { status: "active" }),
      release("2.0.0", "2026-01-03T00:00:00.000Z", { status: "rolled-back" }),
    ];
    const selection = selectLastKnownGood(releases, [run("1.0.0", true), run("2.0.0", true)]);
    expect(selection.lkg?.version).toBe("1.0.0");
    expect(selection.candidates[0]?.reasons).toEqual(["it was rolled back"]);
  });

  it("requires a passing release gate run, and the newest run of every gate to pass", () => {
    const releases = [
      release("1.0.0", "2026-01-02T00:00:00.000Z"),
      release("1.1.0", "2026-01-03T00:00:00.000Z"),
      release("1.2.0", "2026-01-04T00:00:00.000Z"),
    ];
    const runs = [
      run("1.0.0", false),
      run("1.0.0", true), // fixed and re-run: the newest counts
      run("1.1.0", true),
      run("1.1.0", false, "smoke"),
      run("1.2.0", true, "smoke"),
      run(null, true), // a run for no release vouches for none
    ];
    const selection = selectLastKnownGood(releases, runs);
    expect(selection.lkg?.version).toBe("1.0.0");
    const [r12, r11] = selection.candidates;
    expect(r12?.reasons).toEqual(["no release gate ran for it (shipsafe release prepare 1.2.0)"]);
    expect(r11?.reasons).toEqual([`its newest smoke gate run ${runs[3]?.id} failed`]);
    expect(selection.candidates[2]?.gateRuns).toEqual({
      release: { id: runs[1]?.id, passed: true },
    });
  });

  it("needs a healthy observation: degraded, inconclusive and never deployed do not count", () => {
    const releases = [
      release("1.0.0", null, { status: "prepared", verdict: null, observedHealthy: false }),
      release("1.1.0", "2026-01-03T00:00:00.000Z", {
        status: "active",
        verdict: "degraded",
        observedHealthy: false,
      }),
      release("1.2.0", "2026-01-04T00:00:00.000Z", {
        status: "active",
        verdict: "inconclusive",
        observedHealthy: false,
      }),
    ];
    const runs = releases.map((r) => run(r.version, true));
    const selection = selectLastKnownGood(releases, runs);
    expect(selection.lkg).toBeNull();
    expect(selection.candidates.map((c) => c.reasons[0])).toEqual([
      "its observation verdict was inconclusive, not healthy",
      "its observation verdict was degraded, not healthy",
      "it was never deployed, so never observed",
    ]);
    expect(describeRejections(selection)).toContain("1.2.0: its observation verdict");
  });

  it("leaves out the excluded release and those not stored on the target", () => {
    const releases = [
      release("1.0.0", "2026-01-02T00:00:00.000Z"),
      release("1.1.0", "2026-01-03T00:00:00.000Z"),
      release("1.2.0", "2026-01-04T00:00:00.000Z"),
    ];
    const runs = releases.map((r) => run(r.version, true));
    const selection = selectLastKnownGood(releases, runs, {
      exclude: "1.2.0",
      available: ["1.0.0", "1.2.0"],
    });
    expect(selection.lkg?.version).toBe("1.0.0");
    expect(selection.candidates[1]?.reasons).toEqual(["it is no longer stored on the target"]);
  });

  it("reads the facts of a stored release record", () => {
    const facts = releaseFacts({
      id: "prod/1.0.0",
      service: "shop",
      env: "prod",
      version: "1.0.0",
      createdAt: "2026-01-01T00:00:00.000Z",
      status: "active",
      doc: {
        deployedAt: "2026-01-02T00:00:00.000Z",
        verdict: { status: "healthy", reasons: [] },
        observedHealthy: true,
      },
    });
    expect(facts).toEqual({
      version: "1.0.0",
      status: "active",
      createdAt: "2026-01-01T00:00:00.000Z",
      deployedAt: "2026-01-02T00:00:00.000Z",
      verdict: "healthy",
      observedHealthy: true,
    });
    expect(describeRejections({ lkg: null, candidates: [] })).toBe("no release has been recorded");
  });
});

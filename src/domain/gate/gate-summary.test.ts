import { describe, expect, it } from "vitest";
import { gateTrend, passCount, summarizeGateRuns } from "./gate-summary.js";
import {
  minute,
  RELEASE_SEQUENCE,
  releaseRun,
  storedRun,
  thirtyRunsFixture,
} from "./gate-summary.test-support.js";
import { summaryRunFromRecord } from "./gate-summary-input.js";

const options = { service: "orders", env: "production", generatedAt: "2026-11-02T00:00:00.000Z" };
const summarize = (limit: number) =>
  summarizeGateRuns(thirtyRunsFixture().map(summaryRunFromRecord), { ...options, limit });
const hash = (gate: string, n: number) => `${gate.slice(0, 1)}${String(n).padStart(63, "0")}`;

describe("gate summary over 30 recorded release runs (numbers counted by hand)", () => {
  it("counts pass rate, halves, trend, streak, failing checks and the last failure", () => {
    const report = summarize(30);
    expect(report).toMatchObject({
      format: "shipsafe-gate-summary/1",
      service: "orders",
      env: "production",
      limit: 30,
    });
    // Built-in gates first in their own order, then the others; staging's run is not here.
    expect(report.gates.map((g) => g.gate)).toEqual(["release", "restore", "host", "nightly"]);
    const release = report.gates[0];
    expect(release).toMatchObject({
      gate: "release",
      runs: 30,
      passed: 23, // 6 + 8 + 9, see the fixture's table
      failed: 7, // runs 2, 4, 5, 8, 13, 17, 25
      passRate: 0.7667, // 23 / 30
      firstRunAt: minute(10),
      lastRunAt: minute(300),
      trend: {
        // runs 1-15: failures 2, 4, 5, 8, 13 → 10 passed; runs 16-30: failures 17, 25 → 13 passed
        older: { runs: 15, passed: 10, failed: 5, passRate: 0.6667 },
        newer: { runs: 15, passed: 13, failed: 2, passRate: 0.8667 },
        change: 0.2, // 13/15 − 10/15 = 3/15
        direction: "improving",
        sequence: RELEASE_SEQUENCE,
      },
      streak: { passed: true, runs: 5 }, // runs 26-30 passed, 25 failed
    });
    // http: 2, 4, 8, 17; endpoints: 4, 25; tests: 13, 17; build errored in 5; git only warns.
    expect(release?.failingChecks).toEqual([
      {
        name: "http",
        subsystem: "health",
        failed: 4,
        errored: 0,
        total: 4,
        runs: 30,
        lastFailedAt: minute(170),
      },
      {
        name: "endpoints",
        subsystem: "health",
        failed: 2,
        errored: 0,
        total: 2,
        runs: 30,
        lastFailedAt: minute(250),
      },
      {
        name: "tests",
        subsystem: "tests",
        failed: 2,
        errored: 0,
        total: 2,
        runs: 30,
        lastFailedAt: minute(170),
      },
      {
        name: "build",
        subsystem: "build",
        failed: 0,
        errored: 1,
        total: 1,
        runs: 30,
        lastFailedAt: minute(50),
      },
    ]);
    expect(release?.lastFailure).toEqual({
      id: "gate-release-250",
      startedAt: minute(250),
      version: null,
      evidenceHash: hash("release", 250),
      checks: [
        {
          name: "endpoints",
          subsystem: "health",
          status: "fail",
          diagnostics: [
            "GET http://127.0.0.1:9/health/live: connection refused",
            "is the service running?",
          ],
        },
      ],
    });
    expect(release?.history).toHaveLength(30);
    expect(release?.history[1]).toEqual({
      id: "gate-release-20",
      startedAt: minute(20),
      passed: false,
      version: null,
      evidenceHash: hash("release", 20),
      failedChecks: ["http"],
    });
    expect(release?.history.map((r) => (r.passed ? "P" : "F")).join("")).toBe(RELEASE_SEQUENCE);
  });

  it("summarizes only the newest --limit runs of each gate", () => {
    const release = summarize(20).gates[0];
    // runs 11-30: failures 13, 17, 25
    expect(release).toMatchObject({ runs: 20, passed: 17, failed: 3, passRate: 0.85 });
    expect(release?.trend).toMatchObject({
      older: { runs: 10, passed: 8, passRate: 0.8 }, // 11-20: 13, 17 failed
      newer: { runs: 10, passed: 9, passRate: 0.9 }, // 21-30: 25 failed
      change: 0.1,
      direction: "improving",
      sequence: RELEASE_SEQUENCE.slice(10),
    });
    expect(release?.failingChecks.map((c) => [c.name, c.total])).toEqual([
      ["tests", 2],
      ["endpoints", 1],
      ["http", 1],
    ]);
    expect(release?.history[0]?.id).toBe("gate-release-110");
  });

  it("gives the small gates their trend, streak and failures", () => {
    const [, restore, host, nightly] = summarize(20).gates;
    expect(restore).toMatchObject({ runs: 1, passed: 1, passRate: 1, lastFailure: null });
    expect(restore?.trend).toMatchObject({ change: null, direction: "not-enough-runs" });
    expect(restore?.failingChecks).toEqual([]);
    expect(host).toMatchObject({ runs: 4, passed: 1, failed: 3, passRate: 0.25 });
    expect(host?.trend).toMatchObject({ change: 0.5, direction: "improving", sequence: "FFFP" });
    expect(host?.streak).toEqual({ passed: true, runs: 1 });
    expect(host?.failingChecks.map((c) => [c.name, c.total, c.runs])).toEqual([
      ["disk-space", 2, 3],
      ["tools", 1, 2],
    ]);
    expect(host?.lastFailure?.id).toBe("gate-host-31");
    // nightly P P F: older half [P], newer half [P, F]
    expect(nightly?.trend).toMatchObject({
      older: { runs: 1, passed: 1, passRate: 1 },
      newer: { runs: 2, passed: 1, passRate: 0.5 },
      change: -0.5,
      direction: "worsening",
    });
    expect(nightly?.streak).toEqual({ passed: false, runs: 1 });
  });

  it("reports no gates for an environment without runs", () => {
    const report = summarizeGateRuns(thirtyRunsFixture().map(summaryRunFromRecord), {
      ...options,
      env: "qa",
      limit: 20,
    });
    expect(report.gates).toEqual([]);
  });
});

describe("gate summary pieces", () => {
  it("passCount and gateTrend on edge cases", () => {
    expect(passCount([])).toEqual({ runs: 0, passed: 0, failed: 0, passRate: null });
    expect(gateTrend([{ passed: true }, { passed: true }])).toMatchObject({
      change: 0,
      direction: "steady",
      sequence: "PP",
    });
  });

  it("reads runs stored by older versions without failing", () => {
    const record = storedRun("release", 1, []);
    const run = summaryRunFromRecord({
      ...record,
      doc: {
        checks: [{ status: "weird" }, 3, { name: "x", status: "fail", diagnostics: [1, "d"] }],
      },
    });
    expect(run).toMatchObject({ evidenceHash: null, version: null });
    expect(run.checks).toEqual([
      { name: "(unnamed)", subsystem: "", status: "error", diagnostics: [] },
      { name: "x", subsystem: "", status: "fail", diagnostics: ["d"] },
    ]);
  });

  it("orders runs by their start time whatever order they are given in", () => {
    const shuffled = [releaseRun(2, 2), releaseRun(1, 1), releaseRun(3, 3)].reverse();
    const report = summarizeGateRuns(shuffled.map(summaryRunFromRecord), { ...options, limit: 5 });
    expect(report.gates[0]?.trend.sequence).toBe("PFP");
  });
});

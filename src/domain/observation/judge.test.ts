import { describe, expect, it } from "vitest";
import { judge } from "./judge.js";
import { summaryOf } from "./observation.test-support.js";
import { DEFAULT_THRESHOLDS } from "./thresholds.js";

const ready = { consecutiveFailures: 0 };
const baseline = summaryOf({ requests: 1_000, errors: 4, p95Ms: 20 });

describe("judge", () => {
  it("calls an unchanged window healthy, with no severity", () => {
    const verdict = judge(baseline, summaryOf({ requests: 600, errors: 3, p95Ms: 22 }), ready);
    expect(verdict.status).toBe("healthy");
    expect(verdict.severity).toBeNull();
    expect(verdict.rules.map((rule) => rule.outcome)).toEqual(["pass", "pass", "pass"]);
    expect(verdict.reasons).toEqual([
      "readiness passing",
      "error rate 0.5% vs baseline 0.4% (+0.1 points <= 2)",
      "p95 22.0 ms vs baseline 20.0 ms (1.10x <= 1.5x)",
    ]);
  });

  it("fails an error rate more than 5 points above baseline, with the numbers", () => {
    const verdict = judge(baseline, summaryOf({ requests: 1_000, errors: 213 }), ready);
    expect(verdict.status).toBe("failed");
    expect(verdict.severity).toBe("SEV-2");
    expect(verdict.reasons).toEqual(["error rate 21.3% vs baseline 0.4% (+20.9 points > 5)"]);
    expect(verdict.metrics).toMatchObject({ requests: 1_000, errors: 213, errorRate: 0.213 });
    expect(verdict.baseline).toMatchObject({ requests: 1_000, errors: 4, errorRate: 0.004 });
  });

  it("degrades an error rate 2-5 points above baseline and passes exactly 5 points as degraded", () => {
    expect(judge(baseline, summaryOf({ requests: 1_000, errors: 34 }), ready).status).toBe(
      "degraded",
    );
    expect(judge(baseline, summaryOf({ requests: 1_000, errors: 54 }), ready)).toMatchObject({
      status: "degraded",
      severity: "SEV-3",
    });
    expect(judge(baseline, summaryOf({ requests: 1_000, errors: 55 }), ready).status).toBe(
      "failed",
    );
  });

  it("fails p95 above 2x baseline and degrades 1.5-2x", () => {
    const failed = judge(baseline, summaryOf({ p95Ms: 41 }), ready);
    expect(failed.status).toBe("failed");
    expect(failed.reasons).toEqual(["p95 41.0 ms vs baseline 20.0 ms (2.05x > 2x)"]);
    expect(failed.severity).toBe("SEV-3");
    expect(judge(baseline, summaryOf({ p95Ms: 40 }), ready)).toMatchObject({
      status: "degraded",
      severity: "SEV-4",
    });
    expect(judge(baseline, summaryOf({ p95Ms: 30 }), ready).status).toBe("healthy");
  });

  it("fails readiness after 3 consecutive failures as SEV-1 and degrades on fewer", () => {
    const down = judge(baseline, summaryOf(), { consecutiveFailures: 3 });
    expect(down).toMatchObject({ status: "failed", severity: "SEV-1" });
    expect(down.reasons[0]).toBe(
      "readiness failed 3 consecutive times (>= 3): the service is down",
    );
    expect(judge(baseline, summaryOf(), { consecutiveFailures: 1 })).toMatchObject({
      status: "degraded",
      severity: "SEV-4",
      reasons: ["readiness failed 1 consecutive time (< 3)"],
    });
  });

  it("is inconclusive on low traffic, even with errors, but still fails on readiness", () => {
    const quiet = summaryOf({ requests: 12, errors: 6, p95Ms: 500 });
    const verdict = judge(baseline, quiet, ready);
    expect(verdict).toMatchObject({ status: "inconclusive", severity: null });
    expect(verdict.reasons).toEqual([
      "error rate not judged: 12 requests in window (< 20)",
      "p95 latency not judged: 12 requests in window (< 20)",
    ]);
    expect(judge(baseline, quiet, { consecutiveFailures: 5 }).status).toBe("failed");
  });

  it("does not compare p95 against a meaningless baseline", () => {
    const tiny = summaryOf({ p95Ms: 0.4 });
    const verdict = judge(tiny, summaryOf({ p95Ms: 300 }), ready);
    expect(verdict.status).toBe("inconclusive");
    expect(verdict.reasons).toEqual(["p95 latency not judged: baseline p95 0.4 ms (< 1 ms)"]);
    const noLatency = judge(summaryOf({ p95Ms: null }), summaryOf(), ready);
    expect(noLatency.reasons).toEqual([
      "p95 latency not judged: no latency observations in baseline",
    ]);
    const quietBaseline = judge(summaryOf({ requests: 5, errors: 0 }), summaryOf(), ready);
    expect(quietBaseline.rules[2]?.outcome).toBe("inconclusive");
  });

  it("compares against 0% errors when the baseline was too quiet to have a rate", () => {
    const verdict = judge(
      summaryOf({ requests: 3, errors: 1 }),
      summaryOf({ requests: 100, errors: 7 }),
      ready,
    );
    expect(verdict.rules[1]).toEqual({
      rule: "error-rate",
      outcome: "failed",
      reason:
        "error rate 7.0% vs baseline taken as 0.0% (3 baseline requests < 20) (+7.0 points > 5)",
    });
  });

  it("grades severity by the window's absolute error rate", () => {
    const clean = summaryOf({ requests: 1_000, errors: 0 });
    const sev = (errors: number, p95Ms = 20) =>
      judge(clean, summaryOf({ requests: 1_000, errors, p95Ms }), ready).severity;
    expect(sev(0)).toBeNull(); // healthy
    expect(sev(30)).toBe("SEV-4"); // degraded, 3%
    expect(sev(30, 100)).toBe("SEV-3"); // latency failure is at least SEV-3
    expect(sev(51)).toBe("SEV-3"); // 5.1%
    expect(sev(100)).toBe("SEV-3"); // 10% exactly
    expect(sev(101)).toBe("SEV-2"); // 10.1%
    expect(
      judge(clean, summaryOf({ requests: 1_000, errors: 500 }), { consecutiveFailures: 9 })
        .severity,
    ).toBe("SEV-1");
  });

  it("takes thresholds from the caller", () => {
    const strict = { ...DEFAULT_THRESHOLDS, errorRateFailPoints: 1, minRequests: 5 };
    const current = summaryOf({ requests: 10, errors: 1 });
    expect(judge(baseline, current, ready).status).toBe("inconclusive");
    expect(judge(baseline, current, ready, strict).status).toBe("failed");
  });

  it("carries the window and stays JSON-serializable", () => {
    const current = summaryOf({ from: 5, to: 65_005, counterReset: true });
    const verdict = judge(baseline, current, ready);
    expect(verdict.window).toEqual({ from: 5, to: 65_005, durationMs: 60_000, counterReset: true });
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
  });
});

import { describe, expect, it } from "vitest";
import { gateEvidence, toolVersions } from "./gate-evidence.js";
import { planGate } from "./gate-plan.js";
import type { GateRun } from "./gate-run.js";

const runtime = { node: "v20.20.2", shipsafe: "0.1.0", platform: "linux", arch: "x64" };
const run: GateRun = {
  id: "gate-1",
  gate: "host",
  env: "prod",
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 10,
  passed: true,
  checks: [
    {
      name: "tools",
      subsystem: "host",
      status: "pass",
      diagnostics: [],
      durationMs: 3,
      details: { tools: { node: "20.20.2", curl: "8.5.0", kubectl: null } },
    },
  ],
};

describe("gate evidence", () => {
  it("records node, shipsafe and every tool version a check found", () => {
    expect(toolVersions(run, runtime)).toEqual({
      node: "v20.20.2",
      shipsafe: "0.1.0",
      curl: "8.5.0",
    });
  });

  it("holds the run, the checks as planned, the config hash and the commit", () => {
    const plan = planGate("host", "prod", {
      state: [],
      migrations: undefined,
      health: { timeout: "5s", interval: "2s", successes: 1 },
      metrics: undefined,
      gates: undefined,
    });
    const doc = gateEvidence({
      service: "shop",
      run,
      plan,
      configHash: "ab".repeat(32),
      gitCommit: null,
      runtime,
    });
    expect(doc).toMatchObject({
      format: "shipsafe-gate-run/1",
      service: "shop",
      env: "prod",
      gate: "host",
      source: "built-in",
      version: null,
      run: { id: "gate-1", passed: true },
      configHash: "ab".repeat(32),
      gitCommit: null,
      host: { platform: "linux", arch: "x64" },
    });
    expect((doc.checks as { name: string }[]).map((c) => c.name)).toEqual([
      "tools",
      "disk-space",
      "endpoints",
    ]);
  });
});

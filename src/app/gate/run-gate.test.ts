import { describe, expect, it } from "vitest";
import { gateCheck } from "../../domain/config/gate-schema.js";
import type { CommandRun } from "../../domain/gate/evaluate-command.js";
import { type PlanOptions, planGate } from "../../domain/gate/gate-plan.js";
import type { CheckProbes } from "../../ports/check-probes.js";
import { type EvidenceDoc, fakeEnvironment, fakeProbes } from "./gate-fakes.test-support.js";
import { type GateRequest, runGate } from "./run-gate.js";

const runtime = { node: "v20.0.0", shipsafe: "0.1.0", platform: "linux", arch: "x64" };
const health = { timeout: "5s", interval: "2s", successes: 1 };

function request(
  checks: Record<string, unknown>[],
  probes: CheckProbes,
  options: PlanOptions = {},
): GateRequest {
  const plan = planGate(
    "g",
    "prod",
    {
      state: [],
      migrations: undefined,
      health,
      metrics: undefined,
      gates: { g: { checks: checks.map((c) => gateCheck.parse(c)) } },
    },
    options,
  );
  return { plan, probes, configHash: "c".repeat(64), migrationWaivers: [], runtime };
}

const exited = (exitCode: number, outputTail = ""): CommandRun => ({
  exitCode,
  signal: undefined,
  timedOut: false,
  startError: undefined,
  outputTail,
  durationMs: 1,
});

describe("runGate", () => {
  it("runs independent checks concurrently", async () => {
    const { ports } = fakeEnvironment();
    let started = 0;
    let release: () => void = () => {};
    const bothStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const probes = fakeProbes({
      commands: {
        run: async () => {
          started += 1;
          if (started === 2) release();
          // Sequential checks would never both start: the first would time out waiting.
          await bothStarted;
          return exited(0);
        },
      },
    });
    const { run } = await runGate(
      ports,
      request(
        [
          { type: "command", name: "a", command: ["a"], timeout: "5s" },
          { type: "command", name: "b", command: ["b"], timeout: "5s" },
        ],
        probes,
      ),
    );
    expect(run.checks.map((c) => [c.name, c.status])).toEqual([
      ["a", "pass"],
      ["b", "pass"],
    ]);
    expect(run.passed).toBe(true);
  });

  it("runs a check after the ones it names, and not at all when they failed", async () => {
    const { ports } = fakeEnvironment();
    const ran: string[] = [];
    const probes = fakeProbes({
      commands: {
        run: async (argv) => {
          ran.push(argv[0] as string);
          return exited(argv[0] === "build" ? 2 : 0, "tsc: 1 error");
        },
      },
    });
    const { run } = await runGate(
      ports,
      request(
        [
          { type: "command", name: "tests", command: ["tests"], after: ["build"] },
          { type: "command", name: "build", command: ["build"] },
          { type: "command", name: "lint", command: ["lint"] },
        ],
        probes,
      ),
    );
    expect(ran.sort()).toEqual(["build", "lint"]);
    expect(run.checks.map((c) => [c.name, c.status])).toEqual([
      ["tests", "inconclusive"],
      ["build", "fail"],
      ["lint", "pass"],
    ]);
    expect(run.checks[0]?.diagnostics[0]).toBe("not run: it runs after build, which did not pass");
    expect(run.checks[1]?.diagnostics).toContain("last output:\ntsc: 1 error");
    expect(run.passed).toBe(false);
  });

  it("bounds each check by its own timeout, even one that ignores its signal", async () => {
    const { ports } = fakeEnvironment();
    const probes = fakeProbes({
      http: { get: () => new Promise(() => {}) },
      commands: { run: async () => exited(0) },
    });
    const t0 = Date.now();
    const { run } = await runGate(
      ports,
      request(
        [
          { type: "http", url: "http://127.0.0.1:9/hang", timeout: "50ms" },
          { type: "command", command: ["true"] },
        ],
        probes,
      ),
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(run.checks[0]).toMatchObject({
      name: "http",
      status: "error",
      diagnostics: [
        expect.stringMatching(/did not finish within its timeout of 50ms/),
        expect.any(String),
      ],
    });
    expect(run.checks[1]?.status).toBe("pass");
  });

  it("reports a check that throws as an error under its own name", async () => {
    const { ports } = fakeEnvironment();
    const probes = fakeProbes({
      tools: {
        version: async () => {
          throw new Error("spawn EMFILE");
        },
      },
    });
    const { run } = await runGate(
      ports,
      request([{ type: "tools", tools: [{ name: "node" }] }], probes),
    );
    expect(run.checks[0]).toMatchObject({
      name: "tools",
      subsystem: "host",
      status: "error",
      diagnostics: ["the check could not run: spawn EMFILE"],
    });
    expect(run.passed).toBe(false);
  });

  it("lets a non-required check warn without failing the gate", async () => {
    const { ports } = fakeEnvironment();
    const probes = fakeProbes({ commands: { run: async () => exited(1) } });
    const { run } = await runGate(
      ports,
      request([{ type: "command", name: "lint", command: ["lint"], required: false }], probes),
    );
    expect(run.checks[0]?.status).toBe("warn");
    expect(run.passed).toBe(true);
  });

  it("marks checks interrupted by the operator as errors", async () => {
    const { ports } = fakeEnvironment();
    const controller = new AbortController();
    const probes = fakeProbes({
      commands: {
        run: (_argv, options) =>
          new Promise((resolve) => {
            options.signal?.addEventListener("abort", () => resolve(exited(143)));
            controller.abort(new Error("SIGINT"));
          }),
      },
    });
    const { run } = await runGate(ports, {
      ...request([{ type: "command", command: ["sleep"] }], probes),
      signal: controller.signal,
    });
    expect(run.checks[0]).toMatchObject({
      status: "error",
      diagnostics: ["interrupted before it finished"],
    });
  });

  it("reports each check's start and end, and the skipped ones, as progress", async () => {
    const { ports, events } = fakeEnvironment();
    const probes = fakeProbes({ commands: { run: async () => exited(0) } });
    await runGate(
      ports,
      request(
        [{ type: "command", name: "build", command: ["b"] }, { type: "migrations" }],
        probes,
        { skip: ["migrations"] },
      ),
    );
    expect(events.filter((e) => e.type !== "note")).toEqual([
      { type: "step-finished", step: "migrations", status: "skipped", detail: "skipped (--skip)" },
      { type: "step-started", step: "build", detail: "command, build" },
      {
        type: "step-finished",
        step: "build",
        status: "succeeded",
        detail: expect.stringMatching(/^pass \d+ms$/),
      },
    ]);
  });

  it("stores the run, writes the evidence and appends a ledger entry referencing it", async () => {
    const { ports, ledger, evidence, store } = fakeEnvironment();
    const probes = fakeProbes({
      commands: { run: async () => exited(0) },
      tools: { version: async () => ({ found: true, exitCode: 0, output: "curl 8.5.0" }) },
    });
    const outcome = await runGate(ports, {
      ...request(
        [
          { type: "command", name: "build", command: ["b"] },
          { type: "tools", tools: [{ name: "curl" }] },
        ],
        probes,
      ),
      version: "1.1.0",
      redact: <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll("build", "***")) as T,
    });
    const [entry] = ledger.rows;
    expect(entry).toMatchObject({
      kind: "gate.run",
      subject: "g",
      data: { gateRunId: outcome.run.id, version: "1.1.0", passed: true, failed: [], skipped: [] },
      evidenceHash: outcome.evidenceHash,
    });
    expect(outcome.ledgerSeq).toBe(entry?.seq);
    const doc = evidence.docs.get(outcome.evidenceHash) as EvidenceDoc;
    expect(doc).toMatchObject({
      format: "shipsafe-gate-run/1",
      gate: "g",
      version: "1.1.0",
      run: { id: outcome.run.id, passed: true },
      tools: { node: "v20.0.0", shipsafe: "0.1.0", curl: "8.5.0" },
      configHash: "c".repeat(64),
      gitCommit: "c0ffee".padEnd(40, "0"),
    });
    const stored = await store.gateRuns.get(outcome.run.id);
    expect(stored).toMatchObject({ gate: "g", env: "prod", passed: true });
    expect((stored as { doc: EvidenceDoc }).doc.evidenceHash).toBe(outcome.evidenceHash);
    // The record outside the ledger goes through the redactor too.
    expect(JSON.stringify(stored)).not.toContain("build");
  });
});

import { describe, expect, it } from "vitest";
import { ShipsafeError } from "../errors.js";
import { type PlanEnvironment, planGate, withMaxBackupAge } from "./gate-plan.js";

const env: PlanEnvironment = {
  state: [{ name: "main", kind: "postgres", url: "postgres://a@db/app" }],
  migrations: undefined,
  health: {
    live: "http://127.0.0.1:3000/live",
    ready: "http://127.0.0.1:3000/ready",
    timeout: "5s",
    interval: "2s",
    successes: 1,
  },
  metrics: { source: "scrape", url: "http://127.0.0.1:3000/metrics" },
  gates: undefined,
};

const names = (plan: ReturnType<typeof planGate>) => plan.checks.map((c) => c.name);

function thrown(fn: () => unknown): ShipsafeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShipsafeError) return error;
  }
  throw new Error("expected a ShipsafeError");
}

describe("planGate", () => {
  it("has built-in release, rollback, restore and host gates", () => {
    expect(names(planGate("release", "prod", env))).toEqual([
      "artifact",
      "current-health",
      "backup-age",
    ]);
    expect(names(planGate("rollback", "prod", env))).toEqual([
      "previous-release",
      "previous-artifact",
      "snapshot-verify",
      "disk-space",
    ]);
    expect(names(planGate("restore", "prod", env))).toEqual([
      "backup-age",
      "snapshot-verify",
      "disk-space",
    ]);
    const host = planGate("host", "prod", env);
    expect(host.source).toBe("built-in");
    expect(names(host)).toEqual(["tools", "disk-space", "endpoints"]);
  });

  it("adapts built-in gates to the environment", () => {
    const host = planGate("host", "prod", env);
    const tools = host.checks.find((c) => c.type === "tools");
    expect(tools?.type === "tools" && tools.tools.map((t) => t.name)).toEqual([
      "node",
      "psql",
      "pg_dump",
      "pg_restore",
    ]);
    expect(host.checks.find((c) => c.type === "endpoints")).toMatchObject({
      urls: [
        "http://127.0.0.1:3000/live",
        "http://127.0.0.1:3000/ready",
        "http://127.0.0.1:3000/metrics",
      ],
    });
    const withMigrations = { ...env, migrations: { kind: "sql-dir" as const, dir: "m" } };
    expect(names(planGate("release", "prod", withMigrations))).toContain("migrations");
  });

  it("fills in each check's subsystem, timeout and order from its kind", () => {
    const plan = planGate("release", "prod", env);
    expect(plan.checks[0]).toMatchObject({
      type: "artifact",
      subsystem: "artifact",
      required: true,
      timeoutMs: 600_000,
      after: [],
    });
    expect(plan.checks[1]).toMatchObject({ subsystem: "health", timeoutMs: 30_000 });
  });

  it("uses the config's gate instead of the built-in one, and gates with any name", () => {
    const configured: PlanEnvironment = {
      ...env,
      gates: {
        release: { checks: [{ type: "migrations", required: true, reversible: false }] },
        nightly: {
          checks: [
            {
              type: "command",
              name: "e2e",
              command: ["npm", "run", "e2e"],
              exitCode: 0,
              required: false,
              timeout: "1h",
            },
          ],
        },
      },
    };
    const release = planGate("release", "prod", configured);
    expect(release.source).toBe("config");
    expect(names(release)).toEqual(["migrations"]);
    expect(planGate("nightly", "prod", configured).checks[0]).toMatchObject({
      name: "e2e",
      subsystem: "e2e",
      required: false,
      timeoutMs: 3_600_000,
    });
  });

  it("refuses an unknown gate, listing what is known", () => {
    const error = thrown(() =>
      planGate("relase", "prod", {
        ...env,
        gates: { smoke: { checks: [{ type: "migrations", required: true, reversible: false }] } },
      }),
    );
    expect(error.code).toBe("GATE_UNKNOWN");
    expect(error.kind).toBe("usage");
    expect(error.message).toBe(
      'no gate "relase" in environment prod (configured or built in: smoke, release, rollback, restore, host)',
    );
    expect(error.hint).toBe('did you mean "release"?');
  });

  it("skips named checks and records why", () => {
    const plan = planGate("release", "prod", env, { skip: ["backup-age"] });
    expect(names(plan)).toEqual(["artifact", "current-health"]);
    expect(plan.skipped).toEqual([{ name: "backup-age", reason: "--skip" }]);
  });

  it("refuses to skip a check the gate does not have", () => {
    const error = thrown(() =>
      planGate("release", "prod", env, { skip: ["bakup-age", "artifact"] }),
    );
    expect(error.code).toBe("GATE_SKIP_UNKNOWN");
    expect(error.message).toBe(
      '--skip names no check of gate "release": bakup-age (its checks: artifact, current-health, backup-age)',
    );
    expect(error.hint).toBe("did you mean --skip backup-age?");
  });

  it("leaves out the checks that need the service with skipService", () => {
    const plan = planGate("host", "prod", env, { skipService: true });
    expect(names(plan)).toEqual(["tools", "disk-space"]);
    expect(plan.skipped).toEqual([
      { name: "endpoints", reason: "--skip-endpoints: the service may not run yet" },
    ]);
  });

  it("replaces backup-age limits for release prepare --max-backup-age", () => {
    const plan = withMaxBackupAge(planGate("release", "prod", env), 90_000);
    expect(plan.checks.find((c) => c.type === "backup-age")).toMatchObject({ maxAge: "1m30s" });
  });
});

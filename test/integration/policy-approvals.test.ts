import { cp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/adapters/config-file/load-config-file.js";
import { actOnVerdict, type VerdictAction } from "../../src/app/policy/act-on-verdict.js";
import { openEnvironment } from "../../src/composition/environment.js";
import { openServices } from "../../src/composition/services.js";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import type { Verdict } from "../../src/domain/observation/verdict.js";
import { silentProgress } from "../../src/ports/progress.js";
import { stopDeployedService } from "../helpers/demo-app.js";
import { type CliRun, shipsafe } from "../helpers/shipsafe-cli.js";

const identity = { redactText: (t: string) => t, redactJson: <T>(v: T): T => v };
const TOKEN = "T0/B0/s3cr3tW3bh00k";

/**
 * Issue 7's check for policy and approvals, against real components: the demo app on a local
 * target with a fault injected (30% errors), the real store and ledger, a webhook receiver on
 * loopback, and the built CLI run without stdin (as CI runs it).
 */
describe("SEV-2 waits for approval; approve lets it run; --emergency bypasses (built CLI)", () => {
  let ws: DemoWorkspace;
  let hook: Server;
  const posts: { path: string; body: Record<string, unknown> }[] = [];
  const run = (args: string[], actor = "tester"): Promise<CliRun> =>
    shipsafe(["--config", ws.configFile, ...args], {
      cwd: ws.dir,
      env: { SHIPSAFE_ACTOR: actor },
    });
  const json = async (args: string[], actor?: string) => {
    const r = await run(["--json", ...args], actor);
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };
  const current = async (): Promise<string> =>
    (await readlink(join(ws.dir, "deploy", "current"))).replace(/^releases\//, "");
  const deploy = async (version: string): Promise<void> => {
    const r = await run([
      "deploy",
      version,
      "--observe",
      "300ms",
      "--baseline",
      "200ms",
      "--no-auto-rollback",
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await current()).toBe(version);
  };
  /** 1.1.0 answers 30% of its work with 500 (fault injection), and the verdict says SEV-2. */
  const failingVerdict = async (): Promise<Verdict> => {
    const res = await fetch(`${ws.baseUrl}/admin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ errorRate: 0.3 }),
    });
    expect(res.status).toBe(200);
    let failures = 0;
    for (let i = 0; i < 40; i++) if ((await fetch(`${ws.baseUrl}/work`)).status >= 500) failures++;
    expect(failures).toBeGreaterThan(0);
    const rate = failures / 40;
    const metrics = {
      requests: 40,
      errors: failures,
      errorRate: rate,
      p95Ms: 20,
      throughputRps: 40,
    };
    return {
      status: "failed",
      severity: "SEV-2",
      reasons: [`error rate ${(rate * 100).toFixed(1)}% vs baseline 0.0% (> 10%)`],
      rules: [],
      metrics: { ...metrics, readinessConsecutiveFailures: 0 },
      baseline: { requests: 40, errors: 0, errorRate: 0, p95Ms: 20, throughputRps: 40 },
      window: { from: 0, to: 1000, durationMs: 1000, counterReset: false },
    };
  };
  /** What deploy's observation does on that verdict: the policy decides (in-process, real ports). */
  const observeFailure = async (): Promise<VerdictAction> => {
    const verdict = await failingVerdict();
    const loaded = await loadConfigFile(ws.configFile, {}, process.env);
    const services = await openServices(join(ws.dir, ".shipsafe"), identity, { command: "test" });
    try {
      const ports = await openEnvironment(services, loaded, "demo", {
        actor: "deployer",
        progress: silentProgress,
      });
      return await actOnVerdict(ports, {
        verdict,
        previousVersion: "1.0.0",
        restoreState: false,
        rollbackTimeoutMs: 60_000,
      });
    } finally {
      await services.seal();
      await services.close();
    }
  };

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      req.on("end", () => {
        posts.push({ path: req.url ?? "", body: JSON.parse(body) });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((done) => hook.listen(0, "127.0.0.1", done));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/${TOKEN}`;

    ws = await createDemoWorkspace();
    const config = await readFile(ws.configFile, "utf8");
    const policy = `    policy:
      approvals: { required: 1, approvers: [lead] }
      notify:
        - { kind: webhook, url: "${hookUrl}", timeout: 5s }
`;
    expect(config).toContain("    policy: { autoRollback: true }\n");
    await writeFile(ws.configFile, config.replace("    policy: { autoRollback: true }\n", policy));

    const src110 = join(ws.dir, "src", "1.1.0");
    await cp(join(ws.dir, "src", "1.0.0"), src110, { recursive: true });
    await writeFile(join(src110, "RELEASE-NOTES.txt"), "1.1.0: same code, new notes\n");
    for (const [version, dir] of [
      ["1.0.0", join(ws.dir, "src", "1.0.0")],
      ["1.1.0", src110],
    ] as const) {
      const added = await run(["release", "add", version, "--from", dir]);
      expect(added.code, added.stderr).toBe(0);
    }
    await deploy("1.0.0");
    await deploy("1.1.0");
  }, 120_000);

  afterAll(async () => {
    if (ws) {
      await stopDeployedService(ws.dir);
      await rm(ws.dir, { recursive: true, force: true });
    }
    if (hook) await new Promise((done) => hook.close(done));
  });

  let planId = "";

  it("a SEV-2 verdict under the default matrix prepares a plan, stores it, notifies, and waits", async () => {
    const acted = await observeFailure();
    expect(acted.action).toBe("wait-for-approval");
    expect(acted.rollback).toBeNull();
    expect(acted.decision).toMatchObject({ approvalsNeeded: 1, approvalsGiven: 0 });
    expect(acted.plan).toMatchObject({ fromVersion: "1.1.0", toVersion: "1.0.0", type: 1 });
    planId = acted.plan?.id ?? "";
    expect(acted.notifications).toEqual([{ target: expect.stringMatching(/\/\*\*\*$/), ok: true }]);
    expect(await current()).toBe("1.1.0");

    const sent = posts.find((p) => p.body.planId === planId);
    expect(sent?.path).toBe(`/hooks/${TOKEN}`);
    expect(sent?.body).toMatchObject({
      env: "demo",
      severity: "SEV-2",
      verdict: "failed",
      approveCommand: `shipsafe approve ${planId} --env demo --reason "<why>"`,
    });
    expect(String(sent?.body.text)).toContain(`rollback plan ${planId} (1.1.0 → 1.0.0) prepared`);

    const tail = await json(["audit", "tail", "-n", "5"]);
    const prepared = tail.doc.entries.find((e: { kind: string }) => e.kind === "rollback.prepared");
    expect(prepared.data).toMatchObject({ planId, severity: "SEV-2", approvalsNeeded: 1 });
    // The webhook's token never reaches the ledger.
    expect(JSON.stringify(tail.doc)).not.toContain("s3cr3t");
  });

  it("rollback --plan without approval exits 4 from a run without stdin, naming the plan and the approve command", async () => {
    const refused = await run(["rollback", "--plan", planId]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("error[APPROVAL_REQUIRED]");
    expect(refused.stderr).toContain(planId);
    expect(refused.stderr).toContain(`shipsafe approve ${planId} --env demo`);
    expect(await current()).toBe("1.1.0");
  });

  it("--dry-run shows the stored plan and its approvals", async () => {
    const shown = await json(["rollback", "--plan", planId, "--dry-run"]);
    expect(shown.code).toBe(0);
    expect(shown.doc).toMatchObject({
      status: "planned",
      plan: { id: planId },
      decision: { action: "wait-for-approval", approvalsNeeded: 1, approvalsGiven: 0 },
    });
  });

  it("refuses an approver not in the list, then records the approval of one who is, once", async () => {
    const stranger = await run(["approve", planId], "mallory");
    expect(stranger.code).toBe(4);
    expect(stranger.stderr).toContain("error[APPROVER_NOT_ALLOWED]");
    expect(stranger.stderr).toContain("approvers are lead");

    const approved = await json(["approve", planId, "--reason", "errors at 30%"], "lead");
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.doc).toMatchObject({
      planId,
      approval: { actor: "lead", reason: "errors at 30%" },
      approvalsGiven: 1,
      approvalsNeeded: 1,
      ready: true,
    });

    const twice = await run(["approve", planId], "lead");
    expect(twice.code).toBe(4);
    expect(twice.stderr).toContain("error[ALREADY_APPROVED]");

    const unknown = await run(["approve", "rb-20990101T000000Z-000000"], "lead");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error[PLAN_UNKNOWN]");
  });

  it("once approved, rollback --plan runs it and the service ends healthy on 1.0.0; it cannot run twice", async () => {
    const ran = await json(["rollback", "--plan", planId]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.doc).toMatchObject({
      status: "succeeded",
      plan: { id: planId, fromVersion: "1.1.0", toVersion: "1.0.0" },
      decision: { action: "rollback", bypassed: false, approvalsGiven: 1 },
    });
    expect(await current()).toBe("1.0.0");
    expect((await run(["health"])).code).toBe(0);
    for (let i = 0; i < 10; i++) expect((await fetch(`${ws.baseUrl}/work`)).status).toBe(200);

    const again = await run(["rollback", "--plan", planId]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("error[PLAN_ALREADY_EXECUTED]");
    const late = await run(["approve", planId], "tester");
    expect(late.code).toBe(4);
  });

  it("--emergency runs a plan without its approval and the ledger records the bypass", async () => {
    await deploy("1.1.0");
    const acted = await observeFailure();
    expect(acted.action).toBe("wait-for-approval");
    const second = acted.plan?.id ?? "";
    expect(second).not.toBe(planId);

    const ran = await json([
      "rollback",
      "--plan",
      second,
      "--emergency",
      "--reason",
      "pager says now",
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.doc).toMatchObject({
      status: "succeeded",
      plan: { id: second, emergency: true },
      decision: { action: "rollback", bypassed: true, approvalsGiven: 0, approvalsNeeded: 1 },
    });
    expect(await current()).toBe("1.0.0");
    expect((await run(["health"])).code).toBe(0);

    const tail = await json(["audit", "tail", "-n", "20"]);
    const kinds = tail.doc.entries.map((e: { kind: string }) => e.kind);
    const bypass = tail.doc.entries.find(
      (e: { kind: string }) => e.kind === "rollback.emergency-bypass",
    );
    expect(bypass).toMatchObject({
      actor: "tester",
      subject: second,
      data: { planId: second, approvalsGiven: 0, approvalsNeeded: 1, reason: "pager says now" },
    });
    expect(kinds).toEqual(
      expect.arrayContaining([
        "rollback.prepared",
        "rollback.approved",
        "rollback.started",
        "rollback.finished",
      ]),
    );
    const verified = await run(["audit", "verify"]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });
});

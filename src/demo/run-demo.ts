import { hostname } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { loadConfigFile } from "../adapters/config-file/load-config-file.js";
import { verifyLedger } from "../app/audit/verify-ledger.js";
import { type DeployResult, deploy } from "../app/deploy/deploy.js";
import type { EnvironmentPorts } from "../app/environment.js";
import type { GateSetup } from "../app/gate/run-gate.js";
import { waitHealthy } from "../app/health/wait-healthy.js";
import { prepareRelease } from "../app/release/prepare-release.js";
import { saveReleaseRecord } from "../app/release/release-records.js";
import { runMutation } from "../app/run-mutation.js";
import { openGateSetup } from "../composition/checks.js";
import { openEnvironment } from "../composition/environment.js";
import { openServices } from "../composition/services.js";
import type { JsonObject } from "../domain/model/json.js";
import { DEFAULT_THRESHOLDS } from "../domain/observation/thresholds.js";
import type { Progress } from "../ports/progress.js";
import {
  createDemoWorkspace,
  DEMO_APP,
  type DemoWorkspace,
  PACKAGE_ROOT,
} from "./demo-workspace.js";

export interface DemoReport {
  readonly ok: boolean;
  readonly workspace: string;
  readonly timeline: readonly { atMs: number; event: string }[];
  readonly badDeploy: {
    readonly verdict: string;
    readonly severity: string | null;
    readonly reasons: readonly string[];
    readonly timeToDetectMs: number | null;
  };
  readonly rollback: {
    readonly status: string;
    readonly from: string | null;
    readonly to: string;
    readonly type: number;
    readonly durationMs: number | null;
    readonly dataLoss: string | null;
  } | null;
  readonly endState: {
    readonly currentVersion: string | null;
    readonly healthy: boolean;
    readonly schemaVersion: number;
    readonly ordersRows: number;
    readonly badTablesLeft: readonly string[];
  };
  readonly load: { sent: number; ok: number; failed: number };
  readonly evidence: { readonly ledgerEntries: number; readonly ledgerVerified: boolean };
  readonly inspect: readonly string[];
}

interface LoadHandle {
  stop(): Promise<{ sent: number; ok: number; failed: number }>;
}

/**
 * `shipsafe demo`: the whole path on one machine. Deploys the demo app's healthy 1.0.0 under steady
 * load, then the bad 2.0.0 with auto-rollback, and reports what happened.
 */
export async function runDemo(options: {
  progress: Progress;
  actor: string;
  observeMs: number;
}): Promise<DemoReport> {
  const ws = await createDemoWorkspace();
  const t0 = Date.now();
  const timeline: { atMs: number; event: string }[] = [];
  const mark = (event: string): void => {
    timeline.push({ atMs: Date.now() - t0, event });
    options.progress.report({ type: "note", message: event });
  };
  mark(`workspace ${ws.dir}; demo app on ${ws.baseUrl}`);
  const loaded = await loadConfigFile(ws.configFile, {}, process.env);
  const services = await openServices(join(ws.dir, ".shipsafe"), identity, {
    command: "shipsafe demo",
  });
  let load: LoadHandle | undefined;
  let ports: EnvironmentPorts | undefined;
  try {
    ports = await openEnvironment(services, loaded, "demo", {
      actor: options.actor,
      progress: options.progress,
    });
    const env = ports;
    const releaseGate = openGateSetup(services, loaded, "demo", "release");
    const holder = {
      pid: process.pid,
      host: hostname(),
      actor: options.actor,
      command: "shipsafe demo",
      acquiredAt: new Date().toISOString(),
    };
    return await runMutation(
      { locks: services.store.locks, seal: () => services.seal() },
      "demo",
      holder,
      async () => {
        for (const version of ["1.0.0", "2.0.0"]) {
          const info = await env.target.addRelease(version, ws.sources[version] as string);
          await saveReleaseRecord(env, version, "added", {
            release: info as unknown as JsonObject,
          });
          await env.record({
            kind: "release.added",
            subject: version,
            data: { checksum: info.checksum },
          });
        }
        mark("stored releases 1.0.0 and 2.0.0");
        await prepareOrThrow(env, "1.0.0", releaseGate);
        const first = await deployVersion(env, "1.0.0", 2_000);
        if (first.status === "failed")
          throw new Error(`1.0.0 failed its observation: ${first.verdict.reasons.join("; ")}`);
        mark("1.0.0 deployed and healthy");

        load = await startDemoLoad(ws);
        mark("steady load started (GET /work, POST /orders)");
        await new Promise((r) => setTimeout(r, 1_500));
        await prepareOrThrow(env, "2.0.0", releaseGate);
        mark("2.0.0 prepared: release gate passed, snapshot of 1.0.0's state taken");

        const deployStart = Date.now() - t0;
        const bad = await deployVersion(env, "2.0.0", options.observeMs);
        for (const event of bad.timeline) {
          timeline.push({ atMs: deployStart + event.atMs, event: `deploy 2.0.0: ${event.event}` });
        }
        const loadTotals = await load.stop();
        load = undefined;

        const end = await endState(env, ws);
        await services.seal();
        const ledger = await verifyLedger({
          ledger: services.store.ledger,
          signer: services.signer,
          evidence: services.evidence,
        });
        const rb = bad.rollback;
        const ok =
          bad.status === "failed" &&
          rb?.status === "succeeded" &&
          end.currentVersion === "1.0.0" &&
          end.healthy &&
          end.badTablesLeft.length === 0 &&
          end.schemaVersion === 1;
        mark(
          ok
            ? "demo finished: 2.0.0 was caught and rolled back, 1.0.0 is healthy on its own data"
            : "demo finished with an unexpected outcome",
        );
        return {
          ok,
          workspace: ws.dir,
          timeline,
          badDeploy: {
            verdict: bad.verdict.status,
            severity: bad.verdict.severity,
            reasons: bad.verdict.reasons,
            // From the moment 2.0.0 was switched in, not from the start of the deploy (baseline).
            timeToDetectMs:
              bad.detectedAfterMs !== null && bad.activatedAfterMs !== null
                ? bad.detectedAfterMs - bad.activatedAfterMs
                : null,
          },
          rollback: rb
            ? {
                status: rb.status,
                from: rb.plan.fromVersion,
                to: rb.plan.toVersion,
                type: rb.plan.type,
                durationMs: rb.outcome?.durationMs ?? null,
                dataLoss: rb.plan.dataLoss?.summary ?? null,
              }
            : null,
          endState: end,
          load: loadTotals,
          evidence: {
            ledgerEntries: await services.store.ledger.count(),
            ledgerVerified: ledger.ok,
          },
          inspect: [
            `alias shipsafe='node ${join(PACKAGE_ROOT, "dist", "cli", "main.js")}'`,
            `cd ${ws.dir}`,
            "shipsafe audit tail -n 30",
            "shipsafe audit verify",
            "shipsafe release list",
            "shipsafe snapshot list",
            "shipsafe rollback --to 2.0.0 --dry-run",
          ],
        };
      },
    );
  } finally {
    if (load) await load.stop();
    await ports?.target.stop().catch(() => undefined);
    await services.close();
  }
}

const identity = { redactText: (t: string) => t, redactJson: <T>(v: T): T => v };

async function prepareOrThrow(
  env: EnvironmentPorts,
  version: string,
  gate: GateSetup,
): Promise<void> {
  const prepared = await prepareRelease(env, { version, gate });
  if (!prepared.gate.passed) {
    const failed = prepared.gate.checks.filter((c) => c.status === "fail" || c.status === "error");
    throw new Error(
      `release gate failed for ${version}: ${failed.map((c) => `${c.name}: ${c.diagnostics.join("; ")}`).join(" | ")}`,
    );
  }
}

function deployVersion(
  env: EnvironmentPorts,
  version: string,
  observeMs: number,
): Promise<DeployResult> {
  return deploy(env, {
    version,
    baselineMs: 5_000,
    observeMs,
    intervalMs: 1_000,
    autoRollback: true,
    rollbackTimeoutMs: 120_000,
    thresholds: DEFAULT_THRESHOLDS,
  });
}

async function startDemoLoad(ws: DemoWorkspace): Promise<LoadHandle> {
  const module = (await import(pathToFileURL(join(DEMO_APP, "load.mjs")).href)) as {
    startLoad(options: { baseUrl: string; rps: number }): LoadHandle;
  };
  return module.startLoad({ baseUrl: ws.baseUrl, rps: 40 });
}

async function endState(env: EnvironmentPorts, ws: DemoWorkspace): Promise<DemoReport["endState"]> {
  const health = await waitHealthy(env, 5_000);
  const db = new Database(ws.database, { readonly: true, fileMustExist: true });
  try {
    const schemaVersion = db.pragma("user_version", { simple: true }) as number;
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all() as string[];
    const ordersRows = db.prepare("SELECT count(*) FROM orders").pluck().get() as number;
    return {
      currentVersion: (await env.target.current()) ?? null,
      healthy: health.healthy,
      schemaVersion,
      ordersRows,
      badTablesLeft: tables.filter((t) => t === "coupons"),
    };
  } finally {
    db.close();
  }
}

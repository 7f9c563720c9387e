import { dirname, isAbsolute, join, resolve } from "node:path";
import { createSpawnCommandRunner } from "../adapters/checks/command/spawn-command-runner.js";
import { createHttpHealthProbe } from "../adapters/health/http/http-health-probe.js";
import { createCommandMaintenance } from "../adapters/maintenance/command/command-maintenance.js";
import { createHttpMaintenance } from "../adapters/maintenance/http/http-maintenance.js";
import { createPrometheusMetricsSource } from "../adapters/metrics/prometheus/prometheus-metrics-source.js";
import { createScrapeMetricsSource } from "../adapters/metrics/scrape/scrape-metrics-source.js";
import { createStdoutNotifier } from "../adapters/notify/stdout/stdout-notifier.js";
import { createWebhookNotifier } from "../adapters/notify/webhook/webhook-notifier.js";
import { createFilesAsset } from "../adapters/state/files/files-asset.js";
import { createPostgresAsset } from "../adapters/state/postgres/postgres-asset.js";
import { createSqliteAsset } from "../adapters/state/sqlite/sqlite-asset.js";
import { createLocalTarget } from "../adapters/targets/local/local-target.js";
import type { EnvironmentPorts } from "../app/environment.js";
import type { EnvironmentConfig, LoadedConfig } from "../domain/config/types.js";
import { parseDuration } from "../domain/duration.js";
import { ShipsafeError } from "../domain/errors.js";
import { observationSetup } from "../domain/observation/observation-setup.js";
import { parseScrapeQuery } from "../domain/observation/scrape-query.js";
import { policyFromConfig } from "../domain/policy/policy-from-config.js";
import type { MaintenanceMode } from "../ports/maintenance.js";
import type { MetricsSource } from "../ports/metrics-source.js";
import type { Notifier } from "../ports/notifier.js";
import type { Progress } from "../ports/progress.js";
import type { SnapshotStore } from "../ports/snapshot-store.js";
import type { StateAsset } from "../ports/state-asset.js";
import type { Target } from "../ports/target.js";
import { openMigrationAnalysis } from "./migration-analysis.js";
import { buildMigrationRunner, migratedDatabase } from "./migration-runner.js";
import type { Services } from "./services.js";
import { openCasSnapshotStoreAt } from "./snapshot-store.js";

/** Builds the adapters of one environment from its config. Paths are relative to the config file. */
export async function openEnvironment(
  services: Services,
  loaded: LoadedConfig,
  name: string,
  options: { actor: string; progress: Progress },
): Promise<EnvironmentPorts> {
  const env = loaded.config.environments[name] as EnvironmentConfig;
  const base = dirname(loaded.file);
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(base, path));
  const target = buildTarget(env, at);
  const snapshots = await openSnapshotStore(services);
  const migrations = buildMigrationRunner(env, at);
  const readyTimeoutMs =
    env.target.kind === "local" ? parseDuration(env.target.readyTimeout) : 60_000;
  return {
    env: name,
    service: loaded.config.service,
    actor: options.actor,
    target,
    health: createHttpHealthProbe({
      ...(env.health.live ? { live: env.health.live } : {}),
      ...(env.health.ready ? { ready: env.health.ready } : {}),
      ...(env.health.liveBody ? { liveBody: env.health.liveBody } : {}),
      ...(env.health.readyBody ? { readyBody: env.health.readyBody } : {}),
      timeoutMs: parseDuration(env.health.timeout),
    }),
    healthPolicy: {
      intervalMs: parseDuration(env.health.interval),
      successes: env.health.successes,
      readyTimeoutMs,
    },
    assets: env.state.map((asset) => buildAsset(asset, at, base)),
    snapshots,
    metrics: buildMetrics(env),
    maintenance: buildMaintenance(env, base),
    migrations,
    migrationAnalysis: migrations
      ? openMigrationAnalysis({
          runner: migrations,
          database: migratedDatabase(env, at),
          snapshots,
        })
      : undefined,
    policy: policyFromConfig(env.policy),
    notifiers: buildNotifiers(env),
    store: services.store,
    clock: services.clock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    progress: options.progress,
    record: (input) => services.record({ ...input, actor: options.actor, env: name }),
  };
}

/** The maintenance switch of `maintenance: command | http`; undefined for `stop` (the default). */
function buildMaintenance(env: EnvironmentConfig, base: string): MaintenanceMode | undefined {
  const maintenance = env.maintenance;
  if (!maintenance || maintenance.kind === "stop") return undefined;
  const timeoutMs = parseDuration(maintenance.timeout);
  if (maintenance.kind === "command") {
    return createCommandMaintenance({
      on: maintenance.on,
      off: maintenance.off,
      timeoutMs,
      runner: createSpawnCommandRunner({ baseDir: base }),
    });
  }
  return createHttpMaintenance({
    on: maintenance.on,
    off: maintenance.off,
    timeoutMs,
    userAgent: "shipsafe-rollback",
  });
}

/** Where `policy.notify` sends the policy's notifications. */
function buildNotifiers(env: EnvironmentConfig): Notifier[] {
  return (env.policy?.notify ?? []).map((target) =>
    target.kind === "webhook"
      ? createWebhookNotifier({ url: target.url, timeoutMs: parseDuration(target.timeout) })
      : createStdoutNotifier((text) => process.stdout.write(text)),
  );
}

/** Snapshots live in a content-addressed store of pack files under `<state dir>/cas/`. */
function openSnapshotStore(services: Services): Promise<SnapshotStore> {
  return openCasSnapshotStoreAt(join(services.stateDir, "cas"), services.clock);
}

function buildMetrics(env: EnvironmentConfig): MetricsSource | undefined {
  const metrics = env.metrics;
  if (!metrics) return undefined;
  // metrics.timeout, else the health probes' timeout (what the scrape source used before).
  const timeoutMs = parseDuration(metrics.timeout ?? env.health.timeout);
  if (metrics.source === "prometheus") {
    return createPrometheusMetricsSource({
      url: metrics.url,
      timeoutMs,
      selector: metrics.selector ?? "",
      rateWindowMs: parseDuration(metrics.rateWindow ?? "30s"),
    });
  }
  // A custom query the scrape source cannot read is a config error now, not mid-deploy.
  for (const d of observationSetup(metrics).definitions) {
    if (d.kind === "custom") parseScrapeQuery(d.query ?? "", d.name);
  }
  return createScrapeMetricsSource({ url: metrics.url, timeoutMs });
}

function buildTarget(env: EnvironmentConfig, at: (p: string) => string): Target {
  const target = env.target;
  if (target.kind !== "local") {
    throw new ShipsafeError({
      code: "TARGET_UNSUPPORTED",
      kind: "config",
      message: `target kind "${target.kind}" is not supported by this shipsafe yet`,
      hint: "use kind: local (releases under a root directory, a current symlink, a supervised process)",
    });
  }
  return createLocalTarget({
    root: at(target.root),
    start: target.start,
    ...(target.stop ? { stop: target.stop } : {}),
    ...(target.restart ? { restart: target.restart } : {}),
    stopGrace: parseDuration(target.stopGrace),
    ...(target.env ? { env: target.env } : {}),
  });
}

function buildAsset(
  asset: EnvironmentConfig["state"][number],
  at: (p: string) => string,
  base: string,
): StateAsset {
  switch (asset.kind) {
    case "sqlite":
      return createSqliteAsset({ name: asset.name, path: at(asset.path) });
    case "files":
      return createFilesAsset({ name: asset.name, paths: asset.paths.map(at), baseDir: base });
    case "postgres":
      return createPostgresAsset({ name: asset.name, url: asset.url });
  }
}

import { randomBytes } from "node:crypto";
import {
  buildRollbackPlan,
  type CandidateSnapshot,
  type MaintenanceFacts,
} from "../../domain/rollback/build-rollback-plan.js";
import type { RollbackPlan } from "../../domain/rollback/plan.js";
import { type AssetState, assetStateFrom } from "../../domain/rollback/state-facts.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import type { EnvironmentPorts } from "../environment.js";
import { snapshotForVersion } from "../snapshots/take-snapshot.js";
import { migrationsBetween } from "./migrations-between.js";
import { resolveRollbackTarget } from "./resolve-rollback-target.js";

export interface RollbackRequest {
  readonly to: string;
  readonly restoreState: boolean;
  readonly emergency: boolean;
  readonly reason: string;
  readonly timeoutMs: number;
}

/**
 * Gathers the facts (current version, target, snapshot, live row counts, the migrations in between
 * and what they do, how writes stop) and builds the plan. Changes nothing.
 */
export async function planRollback(
  ports: Pick<
    EnvironmentPorts,
    | "env"
    | "service"
    | "store"
    | "target"
    | "snapshots"
    | "assets"
    | "clock"
    | "migrations"
    | "migrationAnalysis"
    | "maintenance"
  >,
  request: RollbackRequest,
): Promise<RollbackPlan> {
  const target = await resolveRollbackTarget(ports, request.to);
  const currentVersion = (await ports.target.current()) ?? null;
  const snapshot = target.snapshot ?? (await snapshotForVersion(ports, target.version));
  const live = await inspectLive(ports.assets);
  const migrations = await migrationsBetween(
    ports,
    currentVersion,
    target.version,
    snapshot?.id ?? null,
  );
  const now = ports.clock.now();
  return buildRollbackPlan({
    id: newRollbackId(now),
    env: ports.env,
    service: ports.service,
    now: now.toISOString(),
    currentVersion,
    toVersion: target.version,
    reason: request.reason,
    emergency: request.emergency,
    timeoutMs: request.timeoutMs,
    restoreState: request.restoreState || target.snapshot !== undefined,
    snapshot: snapshot ? candidate(snapshot) : null,
    live,
    migrations,
    maintenance: maintenanceFacts(ports.maintenance),
  });
}

function maintenanceFacts(mode: EnvironmentPorts["maintenance"]): MaintenanceFacts {
  return mode
    ? { kind: mode.kind, on: mode.describe("on"), off: mode.describe("off") }
    : { kind: "stop" };
}

export function candidate(snapshot: SnapshotManifest): CandidateSnapshot {
  return {
    id: snapshot.id,
    takenAt: snapshot.createdAt,
    assets: snapshot.assets.map((a) => assetStateFrom(a.name, a.details)),
  };
}

export async function inspectLive(assets: EnvironmentPorts["assets"]): Promise<AssetState[]> {
  const states: AssetState[] = [];
  for (const asset of assets) {
    try {
      states.push(assetStateFrom(asset.name, await asset.inspect()));
    } catch {
      // An asset that cannot be read now (not created yet) has nothing to lose.
      states.push({ name: asset.name });
    }
  }
  return states;
}

function newRollbackId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `rb-${stamp}-${randomBytes(3).toString("hex")}`;
}

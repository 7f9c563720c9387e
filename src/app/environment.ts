import type { JsonValue } from "../domain/model/json.js";
import type { LedgerEntry, LedgerEntryInput } from "../domain/model/ledger.js";
import type { RollbackPolicy } from "../domain/policy/rollback-policy.js";
import type { Clock } from "../ports/clock.js";
import type { HealthProbe } from "../ports/health-probe.js";
import type { MaintenanceMode } from "../ports/maintenance.js";
import type { MetricsSource } from "../ports/metrics-source.js";
import type { MigrationAnalysis } from "../ports/migration-analysis.js";
import type { MigrationRunner } from "../ports/migration-runner.js";
import type { Notifier } from "../ports/notifier.js";
import type { Progress } from "../ports/progress.js";
import type { SnapshotStore } from "../ports/snapshot-store.js";
import type { StateAsset } from "../ports/state-asset.js";
import type { Store } from "../ports/store.js";
import type { Target } from "../ports/target.js";

export interface HealthPolicy {
  readonly intervalMs: number;
  readonly successes: number;
  /** How long a (re)started release may take to become ready. */
  readonly readyTimeoutMs: number;
}

/** Everything a use case needs to act on one environment, wired by the composition root. */
export interface EnvironmentPorts {
  readonly env: string;
  readonly service: string;
  readonly actor: string;
  readonly target: Target;
  readonly health: HealthProbe;
  readonly healthPolicy: HealthPolicy;
  readonly assets: readonly StateAsset[];
  readonly snapshots: SnapshotStore;
  readonly metrics: MetricsSource | undefined;
  /** Undefined when the environment configures no `migrations`. */
  readonly migrations: MigrationRunner | undefined;
  /** Undefined when the environment configures no `migrations`. */
  readonly migrationAnalysis: MigrationAnalysis | undefined;
  /**
   * How a rollback stops writes first and resumes them last; undefined when stopping the process
   * stops them (`maintenance: { kind: stop }`, the default).
   */
  readonly maintenance?: MaintenanceMode | undefined;
  /** The environment's `policy` block, resolved (docs/policy.md); undefined: the defaults. */
  readonly policy?: RollbackPolicy | undefined;
  /** Where policy notifications go (`policy.notify`); undefined or empty: nowhere. */
  readonly notifiers?: readonly Notifier[] | undefined;
  readonly store: Store;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: Progress;
  /** Appends a ledger entry (redacted), with an optional evidence document. */
  record(
    input: Omit<LedgerEntryInput, "actor" | "env"> & { evidence?: JsonValue },
  ): Promise<LedgerEntry>;
}

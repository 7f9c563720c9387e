import { manifestHashOf } from "../../domain/gate/manifest-hash.js";
import type { JsonValue } from "../../domain/model/json.js";
import type { CheckProbes } from "../../ports/check-probes.js";
import type { ProbeResult } from "../../ports/health-probe.js";
import type { ProgressEvent } from "../../ports/progress.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import type { RecordRepository, Store } from "../../ports/store.js";
import type { ReleaseInfo } from "../../ports/target.js";
import { memoryEvidence, memoryLedger } from "../audit/memory-audit.test-support.js";
import { recordAction } from "../audit/record-action.js";
import type { EnvironmentPorts } from "../environment.js";

/** In-memory ports for gate use-case tests (each adapter has its own tests against the real thing). */
function memoryRepository<T extends { id: string; env: string }>(): RecordRepository<T> & {
  rows: Map<string, T>;
} {
  const rows = new Map<string, T>();
  return {
    rows,
    put: async (record) => {
      rows.set(record.id, record);
    },
    get: async (id) => rows.get(id),
    list: async (filter = {}) =>
      [...rows.values()]
        .filter((r) => filter.env === undefined || r.env === filter.env)
        .reverse()
        .slice(0, filter.limit),
  };
}

export function release(version: string): ReleaseInfo {
  return {
    version,
    path: `/deploy/releases/${version}`,
    addedAt: "2026-01-01T00:00:00.000Z",
    checksum: `sum-${version}`,
    files: 3,
    bytes: 100,
  };
}

export function snapshot(id: string, createdAt: string, size = 1000): SnapshotManifest {
  const base = {
    id,
    env: "prod",
    service: "shop",
    createdAt,
    reason: "manual",
    assets: [
      { name: "main", kind: "postgres" as const, source: "db", files: [], size, details: {} },
    ],
    size,
  };
  return { ...base, manifestHash: manifestHashOf(base) };
}

export interface FakeWorld {
  releases: ReleaseInfo[];
  current: string | undefined;
  damaged: Set<string>;
  health: ProbeResult[];
  snapshots: { manifest: SnapshotManifest; runningVersion: string | null }[];
  assets: number;
  now: Date;
}

export function fakeEnvironment(world: Partial<FakeWorld> = {}) {
  const w: FakeWorld = {
    releases: [release("1.0.0"), release("1.1.0")],
    current: "1.1.0",
    damaged: new Set(),
    health: [
      { name: "ready", url: "http://127.0.0.1:1/ready", ok: true, status: 200, latencyMs: 2 },
    ],
    snapshots: [],
    assets: 1,
    now: new Date("2026-01-02T12:00:00Z"),
    ...world,
  };
  const ledger = memoryLedger();
  const evidence = memoryEvidence();
  const events: ProgressEvent[] = [];
  const snapshotRecords = memoryRepository<{
    id: string;
    env: string;
    createdAt: string;
    doc: { runningVersion: string | null };
  }>();
  for (const s of [...w.snapshots].reverse()) {
    void snapshotRecords.put({
      id: s.manifest.id,
      env: "prod",
      createdAt: s.manifest.createdAt,
      doc: { runningVersion: s.runningVersion },
    });
  }
  const store = {
    releases: memoryRepository(),
    snapshots: snapshotRecords,
    gateRuns: memoryRepository(),
    rollbacks: memoryRepository(),
    drills: memoryRepository(),
    baselines: memoryRepository(),
    journal: { record: async () => {}, entries: async () => [] },
    ledger,
    locks: {} as Store["locks"],
    schemaVersion: async () => 1,
    close: async () => {},
  } as unknown as Store & { gateRuns: ReturnType<typeof memoryRepository> };
  const clock = { now: () => w.now };
  const ports: EnvironmentPorts = {
    env: "prod",
    service: "shop",
    actor: "tester",
    target: {
      addRelease: async () => {
        throw new Error("not used");
      },
      releases: async () => w.releases,
      release: async (v) => w.releases.find((r) => r.version === v),
      verifyRelease: async (v) => ({
        version: v,
        ok: !w.damaged.has(v),
        problems: w.damaged.has(v) ? ["modified: server.js"] : [],
      }),
      current: async () => w.current,
      activate: async () => {},
      stop: async () => {},
      start: async () => {},
      status: async () => ({ running: w.current !== undefined }),
    },
    health: { probe: async () => w.health },
    healthPolicy: { intervalMs: 10, successes: 1, readyTimeoutMs: 100 },
    assets: Array.from({ length: w.assets }, (_, i) => ({ name: `a${i}` }) as never),
    snapshots: {
      list: async () => w.snapshots.map((s) => s.manifest),
      get: async (id: string) => w.snapshots.find((s) => s.manifest.id === id)?.manifest,
      verify: async (id: string) => ({
        id,
        ok: !w.damaged.has(id),
        problems: w.damaged.has(id) ? [`chunk of ${id} missing`] : [],
      }),
    } as unknown as EnvironmentPorts["snapshots"],
    metrics: undefined,
    migrations: undefined,
    migrationAnalysis: undefined,
    store,
    clock,
    sleep: async () => {},
    progress: { report: (event) => events.push(event) },
    record: (input) =>
      recordAction({ ledger, evidence, clock }, {
        ...input,
        actor: "tester",
        env: "prod",
      } as Parameters<typeof recordAction>[1]),
  };
  return { ports, world: w, ledger, evidence, events, store };
}

/** Probes that fail loudly unless a test gives them behaviour. */
export function fakeProbes(overrides: Partial<CheckProbes> = {}): CheckProbes {
  const unused = (what: string) => () => {
    throw new Error(`${what} not expected in this test`);
  };
  return {
    commands: { run: unused("commands.run") },
    http: { get: unused("http.get") },
    tools: { version: unused("tools.version") },
    git: {
      inspect: async () => ({
        kind: "repo",
        head: "c0ffee".padEnd(40, "0"),
        dirty: [],
        tags: [],
      }),
    },
    disk: { stateSizes: unused("disk.stateSizes"), freeSpace: unused("disk.freeSpace") },
    ...overrides,
  };
}

export type EvidenceDoc = { [key: string]: JsonValue };

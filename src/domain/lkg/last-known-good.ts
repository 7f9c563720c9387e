import type { GateRunRecord, ReleaseRecord } from "../model/records.js";

/** The gate `release prepare` runs; a release without a passing run of it is never LKG. */
export const RELEASE_GATE = "release";

/** What the selection needs to know about one release of an environment. */
export interface ReleaseFacts {
  readonly version: string;
  readonly status: string;
  readonly createdAt: string;
  /** When it was last switched in by `deploy`; null when it never was. */
  readonly deployedAt: string | null;
  /** The status of its last observation verdict, null when it was never observed. */
  readonly verdict: string | null;
  readonly observedHealthy: boolean;
}

/** What the selection needs to know about one gate run. */
export interface GateRunFacts {
  readonly id: string;
  readonly gate: string;
  /** The release the run was for (`release prepare`, `gate --release`), else null. */
  readonly version: string | null;
  readonly startedAt: string;
  readonly passed: boolean;
}

/** One release judged: good, or the reasons it is not the last known good. */
export interface LkgCandidate {
  readonly version: string;
  readonly status: string;
  readonly deployedAt: string | null;
  readonly verdict: string | null;
  readonly good: boolean;
  readonly reasons: readonly string[];
  /** The newest run of each gate run for this release, by gate name. */
  readonly gateRuns: Readonly<Record<string, { id: string; passed: boolean }>>;
}

export interface LkgSelection {
  readonly lkg: LkgCandidate | null;
  /** Every release, newest deployed first. */
  readonly candidates: readonly LkgCandidate[];
}

export interface LkgOptions {
  /** Left out (rollback --to lkg leaves out the release it rolls back from). */
  readonly exclude?: string | undefined;
  /** When given, only these versions can be chosen (the releases stored on the target). */
  readonly available?: readonly string[] | undefined;
}

/** The facts of a stored release record (deploy writes `deployedAt`, `verdict`, `observedHealthy`). */
export function releaseFacts(record: ReleaseRecord): ReleaseFacts {
  const verdict = record.doc.verdict;
  const status =
    verdict !== null && typeof verdict === "object" && !Array.isArray(verdict)
      ? verdict.status
      : undefined;
  return {
    version: record.version,
    status: record.status,
    createdAt: record.createdAt,
    deployedAt: typeof record.doc.deployedAt === "string" ? record.doc.deployedAt : null,
    verdict: typeof status === "string" ? status : null,
    observedHealthy: record.doc.observedHealthy === true,
  };
}

/** The facts of a stored gate run record. */
export function gateRunFacts(record: GateRunRecord): GateRunFacts {
  const version = record.doc.version;
  return {
    id: record.id,
    gate: record.gate,
    version: typeof version === "string" ? version : null,
    startedAt: record.startedAt,
    passed: record.passed,
  };
}

/**
 * The last known good release: the newest deployed release whose newest run of every gate run for
 * it passed (a passing `release` gate run required), whose observation verdict was `healthy`, and
 * that was neither `failed` nor `rolled-back`. Every other release carries its reasons.
 */
export function selectLastKnownGood(
  releases: readonly ReleaseFacts[],
  gateRuns: readonly GateRunFacts[],
  options: LkgOptions = {},
): LkgSelection {
  const candidates = [...releases]
    .sort(
      (a, b) =>
        (b.deployedAt ?? "").localeCompare(a.deployedAt ?? "") ||
        b.createdAt.localeCompare(a.createdAt) ||
        b.version.localeCompare(a.version),
    )
    .map((release) => judgeRelease(release, newestRunPerGate(gateRuns, release.version), options));
  return { lkg: candidates.find((c) => c.good) ?? null, candidates };
}

function newestRunPerGate(
  runs: readonly GateRunFacts[],
  version: string,
): Record<string, { id: string; passed: boolean; startedAt: string }> {
  const newest: Record<string, { id: string; passed: boolean; startedAt: string }> = {};
  for (const run of runs) {
    if (run.version !== version) continue;
    const seen = newest[run.gate];
    if (seen === undefined || run.startedAt > seen.startedAt) {
      newest[run.gate] = { id: run.id, passed: run.passed, startedAt: run.startedAt };
    }
  }
  return newest;
}

function judgeRelease(
  release: ReleaseFacts,
  runs: Record<string, { id: string; passed: boolean; startedAt: string }>,
  options: LkgOptions,
): LkgCandidate {
  const reasons: string[] = [];
  const v = release.version;
  if (options.exclude === v) reasons.push("it is the current release");
  if (options.available && !options.available.includes(v))
    reasons.push("it is no longer stored on the target");
  if (release.status === "failed") reasons.push("its deploy verdict was failed");
  if (release.status === "rolled-back") reasons.push("it was rolled back");
  if (release.deployedAt === null) {
    reasons.push("it was never deployed, so never observed");
  } else if (!release.observedHealthy || release.verdict !== "healthy") {
    reasons.push(`its observation verdict was ${release.verdict ?? "not recorded"}, not healthy`);
  }
  const releaseGateRun = runs[RELEASE_GATE];
  if (releaseGateRun === undefined) {
    reasons.push(`no ${RELEASE_GATE} gate ran for it (shipsafe release prepare ${v})`);
  }
  for (const [gate, run] of Object.entries(runs).sort(([a], [b]) => a.localeCompare(b))) {
    if (!run.passed) reasons.push(`its newest ${gate} gate run ${run.id} failed`);
  }
  const gateRuns = Object.fromEntries(
    Object.entries(runs).map(([gate, run]) => [gate, { id: run.id, passed: run.passed }]),
  );
  return {
    version: v,
    status: release.status,
    deployedAt: release.deployedAt,
    verdict: release.verdict,
    good: reasons.length === 0,
    reasons,
    gateRuns,
  };
}

/** One line per release that is not good: `1.1.0: it was rolled back; ...`. */
export function describeRejections(selection: LkgSelection, limit = 5): string {
  const bad = selection.candidates.filter((c) => !c.good);
  if (bad.length === 0) return "no release has been recorded";
  const lines = bad.slice(0, limit).map((c) => `${c.version}: ${c.reasons.join("; ")}`);
  if (bad.length > limit) lines.push(`and ${bad.length - limit} more`);
  return lines.join("; ");
}

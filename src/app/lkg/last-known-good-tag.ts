import { isShipsafeError } from "../../domain/errors.js";
import { RELEASE_GATE } from "../../domain/lkg/last-known-good.js";
import { selectLastKnownGoodTag, type TagSelection } from "../../domain/lkg/tag-selection.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { GitTagSource } from "../../ports/git-tags.js";
import type { Store } from "../../ports/store.js";

export interface TagLkgDeps {
  readonly env: string;
  readonly store: Pick<Store, "gateRuns">;
  readonly evidence: Pick<EvidenceStore, "get">;
  readonly tags: GitTagSource;
}

export interface TagLkgResult extends TagSelection {
  readonly repo: string;
  readonly patterns: readonly string[];
}

/**
 * The newest tag (by semver) matching `patterns` whose commit a passing release gate run of this
 * environment recorded (the `gitCommit` of the run's evidence document).
 */
export async function lastKnownGoodTag(
  deps: TagLkgDeps,
  options: { readonly repo: string; readonly patterns: readonly string[] },
): Promise<TagLkgResult> {
  const tags = await deps.tags.tags(options.repo);
  const passing = await passingCommits(deps);
  return { ...selectLastKnownGoodTag(tags, passing, options.patterns), ...options };
}

/** Commit → the newest passing release gate run whose evidence names it. */
async function passingCommits(deps: TagLkgDeps): Promise<Map<string, string>> {
  const runs = await deps.store.gateRuns.list({ env: deps.env });
  const byCommit = new Map<string, string>();
  for (const run of runs) {
    if (run.gate !== RELEASE_GATE || !run.passed) continue;
    const hash = run.doc.evidenceHash;
    if (typeof hash !== "string" || hash === "") continue;
    const commit = await recordedCommit(deps.evidence, hash);
    // Runs are listed newest first: keep the first seen.
    if (commit !== undefined && !byCommit.has(commit)) byCommit.set(commit, run.id);
  }
  return byCommit;
}

async function recordedCommit(
  evidence: Pick<EvidenceStore, "get">,
  hash: string,
): Promise<string | undefined> {
  try {
    const doc = await evidence.get(hash);
    const commit =
      doc !== null && typeof doc === "object" && !Array.isArray(doc) ? doc.gitCommit : undefined;
    return typeof commit === "string" ? commit : undefined;
  } catch (error) {
    // Altered evidence vouches for nothing; `audit verify` reports it.
    if (isShipsafeError(error)) return undefined;
    throw error;
  }
}

/** What retention knows of one snapshot. */
export interface RetainedSnapshot {
  readonly id: string;
  readonly createdAt: string;
  readonly reason: string;
}

export interface RetentionPolicy {
  /** Keep the newest N snapshots. */
  readonly keepLast?: number;
  /** Keep every snapshot younger than this (ms). */
  readonly keepWithinMs?: number;
  /** Keep every snapshot linked to a release (taken by `release prepare`). */
  readonly keepReleases?: boolean;
}

export interface RetentionDecision {
  readonly id: string;
  readonly keep: boolean;
  /** Why it is kept (`last 3`, `within 30d`, `release 1.2.0`, `protected: rollback rb-…`), or why not. */
  readonly reasons: readonly string[];
}

/**
 * Decides which snapshots a prune keeps: the union of every rule that applies, plus the protected
 * ids (snapshots an unfinished rollback needs). A policy with no rule keeps everything — pruning
 * must be asked for explicitly.
 */
export function retentionPlan(
  snapshots: readonly RetainedSnapshot[],
  policy: RetentionPolicy,
  now: number,
  protectedIds: ReadonlyMap<string, string> = new Map(),
): RetentionDecision[] {
  const anyRule =
    policy.keepLast !== undefined ||
    policy.keepWithinMs !== undefined ||
    policy.keepReleases === true;
  const newestFirst = [...snapshots].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return newestFirst.map((snapshot, index) => {
    const reasons: string[] = [];
    if (!anyRule) reasons.push("no retention rule given");
    if (policy.keepLast !== undefined && index < policy.keepLast)
      reasons.push(`last ${policy.keepLast}`);
    if (
      policy.keepWithinMs !== undefined &&
      now - Date.parse(snapshot.createdAt) <= policy.keepWithinMs
    ) {
      reasons.push("within the keep-within window");
    }
    if (policy.keepReleases && snapshot.reason.startsWith("release:")) {
      reasons.push(`release ${snapshot.reason.slice("release:".length)}`);
    }
    const guard = protectedIds.get(snapshot.id);
    if (guard) reasons.push(`protected: ${guard}`);
    return reasons.length > 0
      ? { id: snapshot.id, keep: true, reasons }
      : { id: snapshot.id, keep: false, reasons: ["matched no keep rule"] };
  });
}

import type { JsonObject } from "../model/json.js";
import type { LedgerEntry } from "../model/ledger.js";

/** Per gate (and environment): runs, passes and failures in the excerpt, with evidence hashes. */
export interface ExcerptGateSummary {
  readonly format: "shipsafe-bundle-gate-summary/1";
  readonly gates: readonly {
    readonly gate: string;
    readonly env: string | null;
    readonly runs: number;
    readonly passed: number;
    readonly failed: number;
    readonly passRate: number;
    readonly lastRunAt: string;
    /** The checks that failed in the newest failed run, and its evidence. */
    readonly lastFailure: {
      readonly seq: number;
      readonly failed: readonly string[];
      readonly evidenceHash: string | null;
    } | null;
    readonly evidence: readonly string[];
  }[];
}

/** The gate summary of a ledger excerpt, from its `gate.run` entries (recomputed by verify). */
export function excerptGateSummary(entries: readonly LedgerEntry[]): ExcerptGateSummary {
  const byGate = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    if (entry.kind !== "gate.run") continue;
    const key = `${entry.env ?? ""}\0${entry.subject}`;
    byGate.set(key, [...(byGate.get(key) ?? []), entry]);
  }
  const gates = [...byGate.values()].map((runs) => {
    const first = runs[0] as LedgerEntry;
    const passed = runs.filter((r) => r.data.passed === true).length;
    const lastFailed = runs.filter((r) => r.data.passed !== true).at(-1);
    return {
      gate: first.subject,
      env: first.env,
      runs: runs.length,
      passed,
      failed: runs.length - passed,
      passRate: Math.round((passed / runs.length) * 10_000) / 10_000,
      lastRunAt: (runs.at(-1) as LedgerEntry).at,
      lastFailure: lastFailed
        ? {
            seq: lastFailed.seq,
            failed: stringList(lastFailed.data),
            evidenceHash: lastFailed.evidenceHash ?? null,
          }
        : null,
      evidence: runs.flatMap((r) => (r.evidenceHash ? [r.evidenceHash] : [])),
    };
  });
  gates.sort((a, b) => (a.env ?? "").localeCompare(b.env ?? "") || a.gate.localeCompare(b.gate));
  return { format: "shipsafe-bundle-gate-summary/1", gates };
}

function stringList(data: JsonObject): string[] {
  const failed = data.failed;
  return Array.isArray(failed) ? failed.filter((f): f is string => typeof f === "string") : [];
}

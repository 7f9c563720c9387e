import type { JsonObject, JsonValue } from "../model/json.js";
import type { CheckStatus } from "./gate-run.js";

/** One check of a stored run, as the summary reads it. */
export interface SummaryCheck {
  readonly name: string;
  readonly subsystem: string;
  readonly status: CheckStatus;
  readonly diagnostics: readonly string[];
}

/** One stored gate run, as the summary reads it. */
export interface SummaryRun {
  readonly id: string;
  readonly gate: string;
  readonly env: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly version: string | null;
  /** The evidence document's hash (its content address); null for a run stored without one. */
  readonly evidenceHash: string | null;
  readonly checks: readonly SummaryCheck[];
}

/** The indexed fields of a stored gate run (`GateRunRecord` without importing ports). */
export interface StoredGateRun {
  readonly id: string;
  readonly gate: string;
  readonly env: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly doc: JsonObject;
}

const STATUSES: readonly CheckStatus[] = ["pass", "fail", "warn", "error", "inconclusive"];

/**
 * Reads a stored gate run for the summary. Tolerates documents written by older versions: a
 * missing field becomes null or empty, an unknown check status counts as `error`.
 */
export function summaryRunFromRecord(record: StoredGateRun): SummaryRun {
  const { doc } = record;
  const checks = Array.isArray(doc.checks) ? doc.checks : [];
  return {
    id: record.id,
    gate: record.gate,
    env: record.env,
    startedAt: record.startedAt,
    passed: record.passed,
    version: typeof doc.version === "string" ? doc.version : null,
    evidenceHash:
      typeof doc.evidenceHash === "string" && doc.evidenceHash !== "" ? doc.evidenceHash : null,
    checks: checks.filter(isObject).map(summaryCheck),
  };
}

function summaryCheck(check: JsonObject): SummaryCheck {
  const status = STATUSES.find((s) => s === check.status) ?? "error";
  const diagnostics = Array.isArray(check.diagnostics) ? check.diagnostics : [];
  return {
    name: typeof check.name === "string" ? check.name : "(unnamed)",
    subsystem: typeof check.subsystem === "string" ? check.subsystem : "",
    status,
    diagnostics: diagnostics.filter((d): d is string => typeof d === "string"),
  };
}

function isObject(value: JsonValue): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

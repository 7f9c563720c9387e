import { formatDuration } from "../duration.js";
import type { JsonObject } from "../model/json.js";
import type { CheckResult, CheckStatus } from "./gate-run.js";

/** What a check found, before the runner adds its name, subsystem and duration. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly diagnostics: readonly string[];
  readonly details?: JsonObject;
}

/**
 * The stored result of one check. A check with `required: false` cannot fail its gate: its
 * failure or error is kept as a warning that says so.
 */
export function checkResult(
  spec: { readonly name: string; readonly subsystem: string; readonly required: boolean },
  outcome: CheckOutcome,
  durationMs: number,
): CheckResult {
  const demoted = !spec.required && (outcome.status === "fail" || outcome.status === "error");
  return {
    name: spec.name,
    subsystem: spec.subsystem,
    status: demoted ? "warn" : outcome.status,
    diagnostics: demoted
      ? [...outcome.diagnostics, `not required (required: false): reported as a warning`]
      : outcome.diagnostics,
    durationMs: Math.max(0, Math.round(durationMs)),
    ...(outcome.details ? { details: outcome.details } : {}),
  };
}

/** A check that overran its own timeout. */
export function timedOut(timeoutMs: number): CheckOutcome {
  return {
    status: "error",
    diagnostics: [
      `did not finish within its timeout of ${formatDuration(timeoutMs)}`,
      "find out why it hangs, or raise the check's timeout (e.g. timeout: 2m)",
    ],
  };
}

/** A check whose code threw: a bug or an adapter failure, never a pass. */
export function crashed(message: string): CheckOutcome {
  return { status: "error", diagnostics: [`the check could not run: ${message}`] };
}

/** A check the operator interrupted (Ctrl-C) before it finished. */
export function interrupted(): CheckOutcome {
  return { status: "error", diagnostics: ["interrupted before it finished"] };
}

/** A check not run because a check it waits for (`after`) failed. */
export function notRun(blocking: readonly string[]): CheckOutcome {
  return {
    status: "inconclusive",
    diagnostics: [
      `not run: it runs after ${blocking.join(", ")}, which did not pass`,
      `fix ${blocking.join(", ")} first`,
    ],
  };
}

/** One line of a response body for a diagnostic: whitespace collapsed, cut at `max` characters. */
export function excerpt(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

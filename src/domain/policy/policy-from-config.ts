import type { PolicyConfig } from "../config/schema.js";
import type { Severity } from "../observation/verdict.js";
import {
  type ApprovalTiming,
  DEFAULT_SEVERITY_ACTIONS,
  type PolicyAction,
  type PolicySource,
  type RollbackPolicy,
  SEVERITIES,
  type SeverityRule,
} from "./rollback-policy.js";

/** The shape of one `policy.severities` entry: an action, or an action with its approvals. */
type SeverityEntry = NonNullable<NonNullable<PolicyConfig["severities"]>[Severity]>;
type SeverityObject = Partial<Exclude<SeverityEntry, string>>;

/**
 * Resolves an environment's `policy` block into the severity matrix.
 *
 * - `severities` given: the defaults, overridden row by row.
 * - else `autoRollback: true` (or the `--auto-rollback` flag): every severity rolls back at once
 *   without approval — what `autoRollback` always meant.
 * - else `autoRollback: false` (or `--no-auto-rollback`): the defaults with no automatic rollback
 *   (`rollback` becomes `prepare`).
 * - else the defaults.
 *
 * With `severities` given, `--no-auto-rollback` still turns every `rollback` into `prepare`.
 */
export function policyFromConfig(
  config: PolicyConfig | undefined,
  flags: { readonly autoRollback?: boolean | undefined } = {},
): RollbackPolicy {
  const required = config?.approvals?.required ?? 1;
  const approvers = config?.approvals?.approvers ?? null;
  const autoRollback = flags.autoRollback ?? config?.autoRollback;
  let source: PolicySource = "default";
  if (config?.severities) source = "severities";
  else if (autoRollback === true) source = "auto-rollback";
  else if (autoRollback === false) source = "manual";

  const row = (severity: Severity): SeverityRule => {
    const fallback = DEFAULT_SEVERITY_ACTIONS[severity];
    if (source === "auto-rollback") {
      return { action: "rollback", approval: "none", approvalsRequired: 0, approvers };
    }
    const entry: SeverityEntry | undefined = config?.severities?.[severity];
    const explicit: SeverityObject = typeof entry === "string" ? { action: entry } : (entry ?? {});
    let action: PolicyAction = explicit.action ?? fallback.action;
    let approval: ApprovalTiming =
      explicit.approval ??
      (explicit.action === undefined || explicit.action === fallback.action
        ? fallback.approval
        : defaultTiming(action));
    if (autoRollback === false && action === "rollback") {
      action = "prepare";
      if (approval === "none") approval = "after";
    }
    if (action === "monitor") approval = "none";
    return {
      action,
      approval,
      approvalsRequired: approval === "required" ? (explicit.required ?? required) : 0,
      approvers: explicit.approvers ?? approvers,
    };
  };
  const severities = Object.fromEntries(SEVERITIES.map((s) => [s, row(s)])) as Record<
    Severity,
    SeverityRule
  >;
  return { source, severities };
}

/** An action chosen without saying when approvals come: rollback and prepare wait for them. */
function defaultTiming(action: PolicyAction): ApprovalTiming {
  return action === "monitor" ? "none" : "required";
}

/**
 * The policy an automatic rollback (`deploy --auto-rollback`, `policy.autoRollback: true`) acts
 * under: the configured matrix when `policy.severities` is given, else every severity rolls back at
 * once without approval — what auto-rollback did before the matrix existed.
 */
export function autoRollbackPolicy(policy: RollbackPolicy | undefined): RollbackPolicy {
  return policy?.source === "severities" ? policy : policyFromConfig({ autoRollback: true });
}

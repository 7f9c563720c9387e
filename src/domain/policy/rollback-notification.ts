import type { Severity, VerdictStatus } from "../observation/verdict.js";

/** What happened that people must hear about. */
export type NotificationEvent =
  | "rollback.prepared"
  | "rollback.started"
  | "rollback.finished"
  | "verdict.monitor";

/**
 * One notification: a Slack-compatible `text` plus the structured fields a machine reads. Carries
 * no secrets (versions, verdict reasons, the plan id and the command to approve it).
 */
export interface Notification {
  readonly event: NotificationEvent;
  readonly text: string;
  readonly env: string;
  readonly service: string;
  readonly verdict: VerdictStatus | null;
  readonly severity: Severity | null;
  readonly reasons: readonly string[];
  readonly action: string;
  readonly planId: string | null;
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  /** The command that approves the plan, when it waits for approval. */
  readonly approveCommand: string | null;
  readonly approvalsNeeded: number;
  readonly approvalsGiven: number;
}

/** What a notification is built from: its fields, less those derived (text, approve command). */
export interface NotificationFacts extends Omit<Notification, "text" | "approveCommand"> {
  /** Extra line for the text (e.g. the rollback's outcome). */
  readonly detail?: string;
}

/** The command an approver runs for `planId` in `env`. */
export function approveCommand(env: string, planId: string): string {
  return `shipsafe approve ${planId} --env ${env} --reason "<why>"`;
}

/** Builds the notification, its one-paragraph text included. */
export function buildNotification(facts: NotificationFacts): Notification {
  const waits = facts.event === "rollback.prepared" && facts.planId !== null;
  const approve = waits && facts.planId ? approveCommand(facts.env, facts.planId) : null;
  const sev = facts.severity ? ` ${facts.severity}` : "";
  const head = `[shipsafe]${sev} ${facts.service} in ${facts.env}: ${headline(facts)}`;
  const lines = [head];
  if (facts.reasons.length > 0) lines.push(`why: ${facts.reasons.join("; ")}`);
  if (facts.detail) lines.push(facts.detail);
  if (approve) {
    lines.push(
      `approvals: ${facts.approvalsGiven}/${facts.approvalsNeeded}; approve with: ${approve}`,
      `then run: shipsafe rollback --plan ${facts.planId} --env ${facts.env}`,
    );
  }
  const { detail: _detail, ...fields } = facts;
  return { ...fields, text: lines.join("\n"), approveCommand: approve };
}

function headline(facts: NotificationFacts): string {
  const move = `${facts.fromVersion ?? "-"} → ${facts.toVersion ?? "-"}`;
  switch (facts.event) {
    case "rollback.prepared":
      return `rollback plan ${facts.planId} (${move}) prepared, waiting for approval`;
    case "rollback.started":
      return `rolling back ${move} (plan ${facts.planId})`;
    case "rollback.finished":
      return `rollback ${move} finished (plan ${facts.planId})`;
    case "verdict.monitor":
      return `verdict ${facts.verdict ?? "-"}: monitoring, no rollback`;
  }
}

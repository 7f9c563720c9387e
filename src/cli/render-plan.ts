import { formatDuration } from "../domain/duration.js";
import type { RollbackPlan } from "../domain/rollback/plan.js";

const TYPE_NAMES = {
  1: "application only",
  2: "application, schema stays",
  3: "full stack: state restored",
};

/** The plan as an on-call engineer reads it before anything runs. */
export function renderPlan(plan: RollbackPlan): string {
  const lines = [
    `rollback plan ${plan.id} — Type ${plan.type} (${TYPE_NAMES[plan.type]})`,
    `  ${plan.env}: ${plan.fromVersion ?? "nothing"} → ${plan.toVersion}${plan.emergency ? "  [EMERGENCY]" : ""}`,
    `  reason: ${plan.reason || "-"}; timeout ${formatDuration(plan.timeoutMs)}`,
  ];
  if (plan.dataLoss) lines.push(`  DATA LOSS: ${plan.dataLoss.summary}`);
  for (const warning of plan.warnings) lines.push(`  warning: ${warning}`);
  lines.push("  steps:");
  for (const step of plan.steps) {
    const params = Object.entries(step.params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ");
    lines.push(
      `    ${step.index + 1}. ${step.kind.padEnd(16)} ${step.description}${params ? ` (${params})` : ""}`,
    );
  }
  return lines.join("\n");
}

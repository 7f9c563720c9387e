import { formatDuration } from "../domain/duration.js";
import type { RollbackPlan } from "../domain/rollback/plan.js";

/** The plan as an on-call engineer reads it before anything runs. */
export function renderPlan(plan: RollbackPlan): string {
  const lines = [
    `rollback plan ${plan.id} — Type ${plan.type} (${typeName(plan)})`,
    `  ${plan.env}: ${plan.fromVersion ?? "nothing"} → ${plan.toVersion}${plan.emergency ? "  [EMERGENCY]" : ""}`,
    `  reason: ${plan.reason || "-"}; timeout ${formatDuration(plan.timeoutMs)}`,
  ];
  // Plans stored before typeReasons / snapshotAge existed are resumed too: read them defensively.
  for (const why of plan.typeReasons ?? []) lines.push(`  why: ${why}`);
  if (plan.snapshotAge) {
    lines.push(
      `  snapshot of ${plan.toVersion}: ${plan.snapshotAge.snapshotId}, taken ${formatDuration(plan.snapshotAge.ageMs)} ago`,
    );
  }
  if (plan.dataLoss) lines.push(`  DATA LOSS: ${plan.dataLoss.summary}`);
  for (const warning of plan.warnings) lines.push(`  warning: ${warning}`);
  lines.push("  steps:");
  for (const step of plan.steps) {
    const params = Object.entries(step.params)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`)
      .join(" ");
    lines.push(
      `    ${step.index + 1}. ${step.kind.padEnd(16)} ${step.description}${params ? ` (${params})` : ""}`,
    );
  }
  return lines.join("\n");
}

function typeName(plan: RollbackPlan): string {
  switch (plan.type) {
    case 1:
      return "application only";
    case 2:
      return "application, schema stays";
    case 3:
      return plan.stateMethod === "down-migrations"
        ? "full stack: down-migrations"
        : "full stack: state restored";
  }
}

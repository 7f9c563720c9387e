import { describe, expect, it } from "vitest";
import { buildNotification } from "../../../domain/policy/rollback-notification.js";
import { createStdoutNotifier } from "./stdout-notifier.js";

describe("stdout notifier", () => {
  it("writes each notification as one JSON line", async () => {
    const lines: string[] = [];
    const notifier = createStdoutNotifier((text) => lines.push(text));
    const notification = buildNotification({
      event: "rollback.finished",
      env: "staging",
      service: "shop",
      verdict: "failed",
      severity: "SEV-1",
      reasons: ["readiness failing"],
      action: "rollback",
      planId: "rb-1",
      fromVersion: "2.0.0",
      toVersion: "1.0.0",
      approvalsNeeded: 0,
      approvalsGiven: 0,
      detail: "succeeded: rolled back 2.0.0 → 1.0.0 in 0.30s",
    });
    expect(await notifier.send(notification)).toEqual({ target: "stdout", ok: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(lines[0] ?? "");
    expect(parsed.notification).toMatchObject({
      severity: "SEV-1",
      planId: "rb-1",
      approveCommand: null,
    });
    expect(parsed.notification.text).toBe(
      "[shipsafe] SEV-1 shop in staging: rollback 2.0.0 → 1.0.0 finished (plan rb-1)\nwhy: readiness failing\nsucceeded: rolled back 2.0.0 → 1.0.0 in 0.30s",
    );
  });

  it("reports a write that throws (a closed pipe) as a failed result", async () => {
    const notifier = createStdoutNotifier(() => {
      throw new Error("EPIPE");
    });
    const n = buildNotification({
      event: "verdict.monitor",
      env: "e",
      service: "s",
      verdict: "degraded",
      severity: "SEV-4",
      reasons: [],
      action: "monitor",
      planId: null,
      fromVersion: null,
      toVersion: null,
      approvalsNeeded: 0,
      approvalsGiven: 0,
    });
    expect(await notifier.send(n)).toEqual({ target: "stdout", ok: false, error: "EPIPE" });
  });
});

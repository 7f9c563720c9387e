import {
  buildNotification,
  type NotificationFacts,
} from "../../domain/policy/rollback-notification.js";
import type { NotifyResult } from "../../ports/notifier.js";
import type { EnvironmentPorts } from "../environment.js";

/**
 * Sends one notification to every configured target at once. A failed delivery is reported as a
 * progress note and in the results; it never fails the caller.
 */
export async function notifyAll(
  ports: Pick<EnvironmentPorts, "env" | "service" | "notifiers" | "progress">,
  facts: Omit<NotificationFacts, "env" | "service">,
): Promise<NotifyResult[]> {
  const notifiers = ports.notifiers ?? [];
  if (notifiers.length === 0) return [];
  const notification = buildNotification({ ...facts, env: ports.env, service: ports.service });
  const results = await Promise.all(
    notifiers.map((n) =>
      n.send(notification).catch(
        (error: unknown): NotifyResult => ({
          target: n.target,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        }),
      ),
    ),
  );
  for (const result of results) {
    if (!result.ok) {
      ports.progress.report({
        type: "note",
        message: `notification to ${result.target} failed (ignored): ${result.error}`,
      });
    }
  }
  return results;
}

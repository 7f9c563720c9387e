import type { Notification } from "../../../domain/policy/rollback-notification.js";
import type { Notifier } from "../../../ports/notifier.js";

/**
 * Writes each notification as one JSON line (a CI log, a pipe into a chat bridge). `write` is
 * standard output in the CLI.
 */
export function createStdoutNotifier(write: (text: string) => unknown): Notifier {
  return {
    target: "stdout",
    async send(notification: Notification) {
      try {
        write(`${JSON.stringify({ notification })}\n`);
        return { target: "stdout", ok: true };
      } catch (error) {
        return {
          target: "stdout",
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}

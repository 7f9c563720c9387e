import type { Notification } from "../../../domain/policy/rollback-notification.js";
import type { Notifier, NotifyResult } from "../../../ports/notifier.js";
import { maskWebhookUrl, scrubUrl } from "./mask-webhook-url.js";

/** The part of `fetch` the webhook needs (inject another for a proxy or a test transport). */
export type PostJson = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

export interface WebhookOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly post?: PostJson;
}

/**
 * POSTs each notification as JSON: Slack's `text` plus the structured fields. A timeout, a refused
 * connection or a non-2xx answer is a failed result naming the masked URL, never an exception.
 */
export function createWebhookNotifier(options: WebhookOptions): Notifier {
  const post: PostJson = options.post ?? ((url, init) => fetch(url, init));
  const target = `webhook ${maskWebhookUrl(options.url)}`;
  const fail = (error: string): NotifyResult => ({
    target,
    ok: false,
    error: scrubUrl(error, options.url),
  });
  return {
    target,
    async send(notification: Notification): Promise<NotifyResult> {
      const signal = AbortSignal.timeout(options.timeoutMs);
      try {
        const res = await post(options.url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "shipsafe-notify" },
          body: JSON.stringify(notification),
          signal,
        });
        if (res.ok) return { target, ok: true };
        const body = (await res.text().catch(() => "")).slice(0, 200);
        return fail(`HTTP ${res.status}${body ? `: ${body}` : ""}`);
      } catch (error) {
        if (signal.aborted) return fail(`no answer within ${options.timeoutMs}ms`);
        return fail(describe(error));
      }
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

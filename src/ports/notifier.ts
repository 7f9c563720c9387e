import type { Notification } from "../domain/policy/rollback-notification.js";

/** How one delivery went; a failed one is reported, never thrown. */
export type NotifyResult =
  | { readonly target: string; readonly ok: true }
  | { readonly target: string; readonly ok: false; readonly error: string };

/** One place notifications go (a webhook, standard output, ...). */
export interface Notifier {
  /** Where it delivers, safe to print: secrets in URLs masked. */
  readonly target: string;
  /** Delivers one notification; resolves with the outcome, never rejects for a delivery failure. */
  send(notification: Notification): Promise<NotifyResult>;
}

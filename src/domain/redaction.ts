/**
 * Masks secrets wherever output leaves the process (terminal, logs, evidence, ledger, API).
 * Pure: the caller supplies the secret values; this module only knows how they may be spelled.
 */
export const MASK = "***";

/**
 * Values shorter than this are not masked by value: a 1-3 character secret ("1", "on", "dev")
 * would turn every occurrence of those characters in unrelated text into `***`, making output
 * unreadable while protecting nothing (such a secret is guessable anyway). Key-based and URL
 * credential masking still apply to them.
 */
export const MIN_SECRET_LENGTH = 4;

/** `scheme://user:password@` — the password part is always masked, whoever supplied it. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/?#]*):([^\s@/?#]*)@/gi;

const SECRET_KEY_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "token",
  "secret",
  "key",
  "apikey",
  "credential",
  "credentials",
  "private",
  "privatekey",
]);

export interface Redactor {
  /** Replaces every known secret spelling and every URL password in `text` by `***`. */
  redactText(text: string): string;
  /** Deep copy of `value` with `redactText` applied to every string (keys included). */
  redactJson<T>(value: T): T;
}

/** True for key names such as `password`, `dbPassword`, `api_key`, `apiKey`, `GITHUB_TOKEN`. */
export function isSecretKey(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
  if (words.some((word) => SECRET_KEY_WORDS.has(word))) return true;
  const joined = words.join("");
  return joined === "apikey" || joined === "privatekey" || joined === "accesskey";
}

/** The password inside `scheme://user:password@host`, URL-decoded, or undefined. */
export function urlPassword(value: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:([^\s@/?#]+)@/i.exec(value);
  if (match?.[1] === undefined) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** Builds a redactor for the given secret values and the ways they are commonly re-encoded. */
export function createRedactor(secretValues: readonly string[]): Redactor {
  const spellings = new Set<string>();
  for (const value of secretValues) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    spellings.add(value);
    spellings.add(encodeURIComponent(value));
    // RFC 3986 strict and form encodings (URLSearchParams, curl) escape more than encodeURIComponent.
    const strict = encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    spellings.add(strict);
    spellings.add(new URLSearchParams({ v: value }).toString().slice(2));
    spellings.add(Buffer.from(value, "utf8").toString("base64"));
    spellings.add(Buffer.from(value, "utf8").toString("base64url"));
    spellings.add(JSON.stringify(value).slice(1, -1));
  }
  // Longest first, so a secret that contains another one is masked as a whole.
  const ordered = [...spellings].sort((a, b) => b.length - a.length);
  const pattern =
    ordered.length === 0
      ? undefined
      : new RegExp(ordered.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");

  const redactText = (text: string): string => {
    const masked = pattern === undefined ? text : text.replace(pattern, MASK);
    return masked.replace(
      URL_CREDENTIALS,
      (_all, scheme: string, user: string, password: string) =>
        password === "" ? `${scheme}${user}:@` : `${scheme}${user}:${MASK}@`,
    );
  };

  const redactJson = <T>(value: T): T => redactValue(value, redactText) as T;
  return { redactText, redactJson };
}

function redactValue(value: unknown, redactText: (text: string) => string): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactText));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[redactText(key)] = redactValue(item, redactText);
    }
    return out;
  }
  return value;
}

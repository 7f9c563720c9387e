import { canonicalJson } from "../canonical-json.js";
import { checkpointMessage } from "../ledger/checkpoint-message.js";
import { ledgerEntryHash } from "../ledger/ledger-hash.js";
import type { LedgerCheckpoint, LedgerEntry } from "../model/ledger.js";
import type { BundleKey } from "./bundle-key.js";

/** A problem found in a bundle: which check failed, about what, and why. */
export interface BundleProblem {
  readonly check: string;
  readonly subject: string;
  readonly message: string;
}

/** Entries, then checkpoints, as `audit export` writes them: one canonical JSON object a line. */
export function excerptLines(
  entries: readonly LedgerEntry[],
  checkpoints: readonly LedgerCheckpoint[],
): { entries: string; checkpoints: string } {
  const lines = (items: readonly object[], type: string) =>
    items.map((item) => `${canonicalJson({ type, ...item })}\n`).join("");
  return { entries: lines(entries, "entry"), checkpoints: lines(checkpoints, "checkpoint") };
}

const str = (v: unknown): v is string => typeof v === "string";
const obj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a parsed line has every field of a ledger entry, with the right types. */
export function isLedgerEntry(v: Record<string, unknown>): boolean {
  return (
    Number.isSafeInteger(v.seq) &&
    [v.at, v.actor, v.kind, v.subject, v.prevHash, v.hash].every(str) &&
    (v.env === null || str(v.env)) &&
    obj(v.data) &&
    (v.evidenceHash === undefined || (str(v.evidenceHash) && /^[0-9a-f]{64}$/.test(v.evidenceHash)))
  );
}

/** Whether a parsed line has every field of a checkpoint, with the right types. */
export function isCheckpoint(v: Record<string, unknown>): boolean {
  return Number.isSafeInteger(v.seq) && [v.hash, v.at, v.keyId, v.signature].every(str);
}

/** Parses JSON lines of one `type`, dropping the `type` field; returns the problem as text. */
export function parseExcerptLines<T>(
  text: string,
  type: string,
  file: string,
  valid: (value: Record<string, unknown>) => boolean,
): T[] | string {
  if (text !== "" && !text.endsWith("\n")) return `${file} does not end with a newline`;
  const items: T[] = [];
  for (const [i, line] of text.split("\n").slice(0, -1).entries()) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return `${file} line ${i + 1} is not JSON`;
    }
    if (typeof value !== "object" || value === null || (value as { type?: unknown }).type !== type)
      return `${file} line ${i + 1} is not a ${type}`;
    const { type: _, ...rest } = value as Record<string, unknown>;
    if (!valid(rest))
      return `${file} line ${i + 1} is not a complete ${type} (a field is missing or of the wrong type)`;
    items.push(rest as T);
  }
  return items;
}

/**
 * Checks an excerpt of the ledger: consecutive seqs, every entry's hash, every link (the first
 * entry's prevHash is taken as given), and every checkpoint: signed by `key`, signing the chain's
 * hash at its seq; one of them must cover the last entry.
 */
export function verifyExcerpt(
  entries: readonly LedgerEntry[],
  checkpoints: readonly LedgerCheckpoint[],
  key: BundleKey | undefined,
): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const chain = (seq: number, message: string) =>
    problems.push({ check: "chain", subject: `entry ${seq}`, message });
  if (entries.length === 0) {
    return [{ check: "chain", subject: "ledger", message: "the excerpt holds no entries" }];
  }
  const hashes = new Map<number, string>();
  let previous: LedgerEntry | undefined;
  for (const entry of entries) {
    if (previous !== undefined && entry.seq !== previous.seq + 1) {
      chain(entry.seq, `follows entry ${previous.seq}: the seqs are not consecutive`);
    }
    const { hash, ...body } = entry;
    let computed: string | undefined;
    try {
      computed = ledgerEntryHash(body);
    } catch {
      computed = undefined;
    }
    if (computed !== hash) chain(entry.seq, "its content does not match its hash (hash-mismatch)");
    if (previous !== undefined && entry.prevHash !== previous.hash) {
      chain(entry.seq, `does not link to entry ${previous.seq}'s hash (broken-link)`);
    }
    hashes.set(entry.seq, hash);
    previous = entry;
  }
  const last = entries.at(-1) as LedgerEntry;
  for (const cp of checkpoints) {
    const subject = `checkpoint ${cp.seq}`;
    if (key === undefined) {
      problems.push({ check: "checkpoint", subject, message: "no usable public key to verify it" });
    } else if (cp.keyId !== key.keyId) {
      problems.push({
        check: "checkpoint",
        subject,
        message: `signed by key ${cp.keyId}, not the bundled key ${key.keyId}`,
      });
    } else if (!key.verify(checkpointMessage(cp), cp.signature)) {
      problems.push({
        check: "checkpoint",
        subject,
        message: "its signature does not verify with the bundled public key",
      });
    }
    if (hashes.get(cp.seq) !== cp.hash) {
      problems.push({
        check: "checkpoint",
        subject,
        message: `signs a hash the excerpt does not have at seq ${cp.seq} (checkpoint-mismatch)`,
      });
    }
  }
  if (!checkpoints.some((cp) => cp.seq === last.seq)) {
    problems.push({
      check: "checkpoint",
      subject: `entry ${last.seq}`,
      message: "no signed checkpoint covers the last entry of the excerpt",
    });
  }
  return problems;
}

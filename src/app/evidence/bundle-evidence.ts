import { canonicalJson } from "../../domain/canonical-json.js";
import { isDuration, parseDuration } from "../../domain/duration.js";
import { ShipsafeError } from "../../domain/errors.js";
import { bundleContents } from "../../domain/evidence-bundle/bundle-contents.js";
import type { BundleSince } from "../../domain/evidence-bundle/bundle-format.js";
import type { LedgerEntry } from "../../domain/model/ledger.js";
import type { Clock } from "../../ports/clock.js";
import type { EvidenceBundles } from "../../ports/evidence-bundle.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { LedgerStore } from "../../ports/ledger.js";
import type { Signer } from "../../ports/signer.js";

export interface BundleEvidenceDeps {
  readonly ledger: LedgerStore;
  readonly evidence: Pick<EvidenceStore, "get">;
  readonly signer: Pick<Signer, "keyId" | "sign" | "publicKeyPem">;
  readonly clock: Clock;
  readonly bundles: Pick<EvidenceBundles, "write">;
}

export interface BundleEvidenceRequest {
  /** An ISO-8601 time, a duration back from now (`24h`, `7d`), or a release version. */
  readonly since: string;
  /** With a release: only entries of this environment name it. */
  readonly env: string | null;
  readonly out: string;
}

export interface BundleEvidenceResult {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly since: BundleSince;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly entries: number;
  readonly evidence: number;
  /** Entries after the newest checkpoint, left out because nothing signs them yet. */
  readonly unsealed: number;
}

/** Interprets `--since`: a time (ISO-8601 or a duration back from now), else a release version. */
export function parseSince(
  text: string,
  env: string | null,
  now: Date,
): { since: BundleSince; at?: number } {
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) {
    return {
      since: { kind: "time", value: new Date(text).toISOString(), env },
      at: Date.parse(text),
    };
  }
  if (isDuration(text)) {
    const at = now.getTime() - parseDuration(text);
    return { since: { kind: "time", value: new Date(at).toISOString(), env }, at };
  }
  return { since: { kind: "release", value: text, env } };
}

/**
 * `shipsafe evidence bundle`: the ledger from the first entry since the time (or naming the release)
 * up to the newest signed checkpoint, the checkpoints in between, every evidence document those
 * entries reference, a gate summary, the public key and a signed manifest of checksums.
 */
export async function bundleEvidence(
  deps: BundleEvidenceDeps,
  request: BundleEvidenceRequest,
): Promise<BundleEvidenceResult> {
  const createdAt = deps.clock.now().toISOString();
  const { since, at } = parseSince(request.since, request.env, deps.clock.now());
  const checkpoints = (await deps.ledger.checkpoints()).filter(
    (cp) => cp.keyId === deps.signer.keyId,
  );
  const sealed = checkpoints.at(-1);
  if (!sealed) {
    throw new ShipsafeError({
      code: "LEDGER_UNSEALED",
      kind: "usage",
      message:
        "the ledger has no checkpoint signed by the current key, so nothing in it can be vouched for",
      hint: "run any mutating command (e.g. shipsafe audit note --env <env> <message>) to seal it, then bundle again",
    });
  }
  const entries: LedgerEntry[] = [];
  let unsealed = 0;
  for await (const entry of deps.ledger.entries()) {
    if (entry.seq > sealed.seq) unsealed++;
    else if (entries.length > 0 || starts(entry, since, at)) entries.push(entry);
  }
  const first = entries[0];
  if (!first) throw nothingSince(since, sealed.seq, unsealed);
  const evidence = new Map<string, string>();
  for (const entry of entries) {
    const hash = entry.evidenceHash;
    if (hash === undefined || evidence.has(hash)) continue;
    const doc = await deps.evidence.get(hash);
    if (doc === undefined) {
      throw new ShipsafeError({
        code: "EVIDENCE_MISSING",
        kind: "runtime",
        message: `ledger entry ${entry.seq} references evidence ${hash}, which is not in the evidence store`,
        hint: "restore the evidence directory from backup; shipsafe audit verify lists every affected entry",
      });
    }
    evidence.set(hash, canonicalJson(doc));
  }
  const files = bundleContents({
    createdAt,
    since,
    entries,
    checkpoints: checkpoints.filter((cp) => cp.seq >= first.seq),
    evidence,
    publicKeyPem: deps.signer.publicKeyPem(),
    keyId: deps.signer.keyId,
    sign: (message) => deps.signer.sign(message),
  });
  const written = await deps.bundles.write(request.out, files, createdAt);
  return {
    file: request.out,
    ...written,
    since,
    fromSeq: first.seq,
    toSeq: sealed.seq,
    entries: entries.length,
    evidence: evidence.size,
    unsealed,
  };
}

function starts(entry: LedgerEntry, since: BundleSince, at: number | undefined): boolean {
  if (at !== undefined) return Date.parse(entry.at) >= at;
  if (since.env !== null && entry.env !== since.env) return false;
  return entry.subject === since.value || entry.data.version === since.value;
}

function nothingSince(since: BundleSince, sealedSeq: number, unsealed: number): ShipsafeError {
  const what =
    since.kind === "time"
      ? `no signed ledger entry at or after ${since.value}`
      : `no signed ledger entry names release ${since.value}${since.env ? ` in ${since.env}` : ""}`;
  return new ShipsafeError({
    code: "NOTHING_TO_BUNDLE",
    kind: "usage",
    message: `${what} (the newest checkpoint covers seq ${sealedSeq}${unsealed ? `; ${unsealed} newer entries are unsealed` : ""})`,
    hint:
      since.kind === "time"
        ? "pick an earlier --since (an ISO-8601 time such as 2026-01-31T00:00:00Z, or a duration such as 7d)"
        : "pass a version that was added, gated or deployed (shipsafe release list), or a time",
  });
}

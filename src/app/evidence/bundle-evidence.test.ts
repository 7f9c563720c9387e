import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../domain/canonical-json.js";
import { testSigner } from "../../domain/evidence-bundle/bundle.test-support.js";
import type { BundleFile } from "../../domain/evidence-bundle/bundle-format.js";
import { bundleMtime, ENTRIES_FILE } from "../../domain/evidence-bundle/bundle-format.js";
import { verifyBundleFiles } from "../../domain/evidence-bundle/verify-bundle.js";
import type { JsonValue } from "../../domain/model/json.js";
import type { LedgerEntryInput } from "../../domain/model/ledger.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { Signer } from "../../ports/signer.js";
import { memoryLedger } from "../audit/memory-audit.test-support.js";
import { recordAction } from "../audit/record-action.js";
import { sealLedger } from "../audit/seal-ledger.js";
import { bundleEvidence, parseSince } from "./bundle-evidence.js";

/** Content-addressed like the fs store: the hash is the sha256 of the canonical JSON. */
function hashedEvidence(): EvidenceStore {
  const docs = new Map<string, JsonValue>();
  return {
    put: async (doc) => {
      const hash = createHash("sha256").update(canonicalJson(doc)).digest("hex");
      docs.set(hash, doc);
      return hash;
    },
    get: async (hash) => docs.get(hash),
    list: async () => [...docs.keys()],
  };
}

function world() {
  const key = testSigner();
  const signer: Signer = {
    keyId: key.keyId,
    sign: key.sign,
    verify: () => true,
    publicKeyPem: () => key.pem,
  };
  let now = Date.parse("2026-03-01T00:00:00.000Z");
  const clock = { now: () => new Date(now) };
  const ledger = memoryLedger();
  const evidence = hashedEvidence();
  const written: { files: BundleFile[]; createdAt: string }[] = [];
  const deps = {
    ledger,
    evidence,
    signer,
    clock,
    bundles: {
      write: async (_file: string, files: readonly BundleFile[], createdAt: string) => {
        written.push({ files: [...files], createdAt });
        return { sha256: "0".repeat(64), bytes: 1 };
      },
    },
  };
  const record = async (input: Omit<LedgerEntryInput, "actor"> & { evidence?: JsonValue }) => {
    now += 60_000;
    return recordAction({ ledger, evidence, clock }, { actor: "t", ...input });
  };
  const seal = () => sealLedger({ ledger, signer, clock });
  return { deps, record, seal, written, key };
}

describe("bundleEvidence", () => {
  it("bundles from the first entry naming the release, up to the newest checkpoint", async () => {
    const w = world();
    await w.record({ env: "prod", kind: "operator.note", subject: "prod", data: {} });
    await w.record({ env: "staging", kind: "release.added", subject: "1.2.0", data: {} });
    await w.record({
      env: "prod",
      kind: "gate.run",
      subject: "release",
      data: { version: "1.2.0", passed: true, failed: [] },
      evidence: { gitCommit: null },
    });
    await w.record({
      env: "prod",
      kind: "deploy.finished",
      subject: "1.2.0",
      data: {},
      evidence: { verdict: "healthy" },
    });
    await w.seal();
    await w.record({
      env: "prod",
      kind: "operator.note",
      subject: "prod",
      data: { message: "unsealed" },
    });

    const result = await bundleEvidence(w.deps, { since: "1.2.0", env: "prod", out: "/x.tar.gz" });
    expect(result).toMatchObject({ fromSeq: 3, toSeq: 4, entries: 2, evidence: 2, unsealed: 1 });
    expect(result.since).toEqual({ kind: "release", value: "1.2.0", env: "prod" });
    const [bundle] = w.written;
    const verified = verifyBundleFiles(bundle?.files ?? [], bundleMtime(bundle?.createdAt ?? ""), {
      pinnedKeyPem: w.key.pem,
    });
    expect(verified.problems).toEqual([]);
    expect(verified.ledger).toMatchObject({ fromSeq: 3, toSeq: 4, checkpointSeq: 4 });
    // Without --env, the staging entry names it first.
    expect((await bundleEvidence(w.deps, { since: "1.2.0", env: null, out: "/y" })).fromSeq).toBe(
      2,
    );
    const entries = bundle?.files.find((f) => f.path === ENTRIES_FILE)?.content.toString() ?? "";
    expect(entries.trimEnd().split("\n")).toHaveLength(2);
  });

  it("bundles since a time or a duration back from now", async () => {
    const w = world();
    for (let i = 0; i < 4; i++)
      await w.record({ env: "prod", kind: "operator.note", subject: "prod", data: { i } });
    await w.seal();
    const times = await bundleEvidence(w.deps, {
      since: "2026-03-01T00:03:00Z",
      env: null,
      out: "/x",
    });
    expect(times).toMatchObject({
      fromSeq: 3,
      toSeq: 4,
      since: { kind: "time", value: "2026-03-01T00:03:00.000Z" },
    });
    expect(parseSince("2h", null, new Date("2026-03-01T12:00:00Z")).since.value).toBe(
      "2026-03-01T10:00:00.000Z",
    );
    expect(parseSince("1.0.0", "prod", new Date()).since).toEqual({
      kind: "release",
      value: "1.0.0",
      env: "prod",
    });
  });

  it("says what is wrong: nothing sealed, nothing since, evidence gone", async () => {
    const w = world();
    await w.record({ env: "prod", kind: "operator.note", subject: "prod", data: {} });
    await expect(
      bundleEvidence(w.deps, { since: "1h", env: null, out: "/x" }),
    ).rejects.toMatchObject({
      code: "LEDGER_UNSEALED",
    });
    await w.seal();
    await expect(
      bundleEvidence(w.deps, { since: "9.9.9", env: null, out: "/x" }),
    ).rejects.toMatchObject({
      code: "NOTHING_TO_BUNDLE",
      message: "no signed ledger entry names release 9.9.9 (the newest checkpoint covers seq 1)",
    });
    await w.record({
      env: "prod",
      kind: "gate.run",
      subject: "release",
      data: {},
      evidenceHash: "a".repeat(64),
    });
    await w.seal();
    await expect(
      bundleEvidence(w.deps, { since: "2000-01-01", env: null, out: "/x" }),
    ).rejects.toMatchObject({
      code: "EVIDENCE_MISSING",
      message: `ledger entry 2 references evidence ${"a".repeat(64)}, which is not in the evidence store`,
    });
  });
});

import { describe, expect, it } from "vitest";
import { canonicalJson } from "../canonical-json.js";
import { ledgerEntryHash } from "../ledger/ledger-hash.js";
import { sampleBundle, testSigner } from "./bundle.test-support.js";
import {
  type BundleFile,
  type BundleManifest,
  bundleMtime,
  ENTRIES_FILE,
  GATE_SUMMARY_FILE,
  MANIFEST_FILE,
  sha256Hex,
} from "./bundle-format.js";
import { excerptGateSummary } from "./excerpt-gate-summary.js";
import { verifyBundleFiles } from "./verify-bundle.js";

const replace = (files: BundleFile[], path: string, content: Buffer): BundleFile[] =>
  files.map((f) => (f.path === path ? { path, content } : f));

/** Rewrites the manifest's checksum of `path` to match `content` (the signature then lies). */
function withRecomputedChecksum(files: BundleFile[], path: string, content: Buffer): BundleFile[] {
  const manifest = JSON.parse((files[0] as BundleFile).content.toString("utf8")) as BundleManifest;
  const patched = {
    ...manifest,
    files: manifest.files.map((f) =>
      f.path === path ? { path, size: content.length, sha256: sha256Hex(content) } : f,
    ),
  };
  return replace(
    replace(files, path, content),
    MANIFEST_FILE,
    Buffer.from(`${JSON.stringify(patched, null, 2)}\n`),
  );
}

describe("verifyBundleFiles", () => {
  const { files, createdAt, entries, signer } = sampleBundle();
  const mtime = bundleMtime(createdAt);

  it("verifies an untouched bundle and states the range and the first prevHash", () => {
    const result = verifyBundleFiles(files, mtime, { pinnedKeyPem: signer.pem });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, keyId: signer.keyId, keyPinned: true, evidence: 3 });
    expect(result.ledger).toEqual({
      fromSeq: 3,
      toSeq: 8,
      entries: 6,
      firstPrevHash: entries[0]?.prevHash,
      checkpointSeq: 8,
    });
  });

  it("holds a gate summary that counts the excerpt's gate runs", () => {
    const summary = excerptGateSummary(entries);
    expect(summary.gates).toEqual([
      expect.objectContaining({
        gate: "release",
        env: "production",
        runs: 3,
        passed: 2,
        failed: 1,
      }),
    ]);
    expect(summary.gates[0]?.lastFailure).toMatchObject({ seq: 6, failed: ["build"] });
  });

  it("fails an entry edited with its checksum recomputed in the manifest: signature and chain", () => {
    const lines = (files.find((f) => f.path === ENTRIES_FILE) as BundleFile).content
      .toString("utf8")
      .split("\n");
    const entry = JSON.parse(lines[1] as string);
    entry.data = { message: "nothing happened here" };
    lines[1] = canonicalJson(entry);
    const tampered = withRecomputedChecksum(files, ENTRIES_FILE, Buffer.from(lines.join("\n")));
    const result = verifyBundleFiles(tampered, mtime);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.check, p.subject])).toEqual(
      expect.arrayContaining([
        ["signature", MANIFEST_FILE],
        ["chain", "entry 4"],
      ]),
    );

    // Even with its hash recomputed too, the next entry's link (and the checkpoint) give it away.
    const { type: _, hash: __, ...body } = entry;
    lines[1] = canonicalJson({ ...entry, hash: ledgerEntryHash(body) });
    const rehashed = verifyBundleFiles(
      withRecomputedChecksum(files, ENTRIES_FILE, Buffer.from(lines.join("\n"))),
      mtime,
    );
    expect(rehashed.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        "does not link to entry 4's hash (broken-link)",
        "signs a hash the excerpt does not have at seq 4 (checkpoint-mismatch)",
      ]),
    );
  });

  it("fails a removed evidence document, naming it and the entry that references it", () => {
    const evidence = files.find((f) => f.path.startsWith("evidence/")) as BundleFile;
    const result = verifyBundleFiles(
      files.filter((f) => f !== evidence),
      mtime,
    );
    expect(result.problems).toEqual(
      expect.arrayContaining([
        {
          check: "checksum",
          subject: evidence.path,
          message: "listed in the manifest, absent from the bundle",
        },
        expect.objectContaining({ check: "evidence", subject: evidence.path }),
      ]),
    );
  });

  it("fails an evidence document that does not hash to its reference, even if the manifest agrees", () => {
    const evidence = files.find((f) => f.path.startsWith("evidence/")) as BundleFile;
    const result = verifyBundleFiles(
      withRecomputedChecksum(files, evidence.path, Buffer.from("{}")),
      mtime,
    );
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: "evidence", message: expect.stringMatching(/hashes to/) }),
      ]),
    );
  });

  it("fails a gate summary that does not match the excerpt, an extra file, and a wrong mtime", () => {
    const summary = Buffer.from('{"gates":[]}\n');
    const result = verifyBundleFiles(
      [
        ...withRecomputedChecksum(files, GATE_SUMMARY_FILE, summary),
        { path: "extra.txt", content: Buffer.from("x") },
      ],
      mtime + 1,
    );
    expect(result.problems.map((p) => p.check)).toEqual(
      expect.arrayContaining(["gate-summary", "checksum", "archive", "signature"]),
    );
  });

  it("fails a bundle signed by another key than the pinned one", () => {
    const result = verifyBundleFiles(files, mtime, { pinnedKeyPem: testSigner().pem });
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({
      check: "key",
      message: expect.stringMatching(/is not the pinned key/),
    });
  });

  it("fails an entry line that lacks a field instead of reading past it", () => {
    const text = (files.find((f) => f.path === ENTRIES_FILE) as BundleFile).content.toString(
      "utf8",
    );
    const broken = Buffer.from(text.replace('"data":', '"dat4":'));
    const result = verifyBundleFiles(withRecomputedChecksum(files, ENTRIES_FILE, broken), mtime);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        {
          check: "chain",
          subject: ENTRIES_FILE,
          message:
            "ledger/entries.jsonl line 1 is not a complete entry (a field is missing or of the wrong type)",
        },
      ]),
    );
  });

  it("fails a bundle whose first file is not a manifest", () => {
    const result = verifyBundleFiles(files.slice(1), mtime);
    expect(result.problems).toEqual([
      {
        check: "manifest",
        subject: MANIFEST_FILE,
        message: "the bundle does not start with manifest.json",
      },
    ]);
  });
});

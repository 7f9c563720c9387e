import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/shipsafe-cli.js";
import { verifyEvidenceBundle } from "../../app/evidence/verify-evidence-bundle.js";
import { sampleBundle } from "../../domain/evidence-bundle/bundle.test-support.js";
import { rawTar } from "../archive/raw-tar.test-support.js";
import { framedGzip, GZIP_HEADER_START } from "./gzip-frame.js";
import { createTarGzEvidenceBundles } from "./tar-gz-evidence-bundles.js";

const bundles = createTarGzEvidenceBundles();

/** gzip framed as shipsafe writes it, so only the tar inside is wrong. */
function canonicalGzip(tar: Buffer): Buffer {
  return framedGzip(gzipSync(tar));
}

describe("tar.gz evidence bundles (real files, node:zlib)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let original: Buffer;
  const sample = sampleBundle();
  const verify = async (bytes: Buffer, name = "t.tar.gz") => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return verifyEvidenceBundle({ bundles }, path);
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-bundle-"));
    file = join(dir, "bundle.tar.gz");
    await bundles.write(file, sample.files, sample.createdAt);
    original = await readFile(file);
  });
  afterAll(() => cleanup());

  it("round-trips the files, in order, with the canonical gzip header", async () => {
    expect(original.subarray(0, 16)).toEqual(GZIP_HEADER_START);
    const read = await bundles.read(file);
    expect(read.files.map((f) => f.path)).toEqual(sample.files.map((f) => f.path));
    expect(read.files.map((f) => f.content.toString())).toEqual(
      sample.files.map((f) => f.content.toString()),
    );
    expect((await verifyEvidenceBundle({ bundles }, file)).ok).toBe(true);
  });

  it("fails on one byte changed anywhere in the gzip file: header, stream, trailer", async () => {
    const positions = [
      0,
      3,
      4,
      8,
      9,
      10,
      11,
      ...[0.25, 0.5, 0.75].map((f) => Math.floor(original.length * f)),
      original.length - 8,
      original.length - 5,
      original.length - 1,
    ];
    for (const at of positions) {
      const bytes = Buffer.from(original);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      const result = await verify(bytes);
      expect(result.ok, `byte ${at}`).toBe(false);
      expect(result.problems[0]?.check, `byte ${at}`).toMatch(
        /archive|checksum|manifest|signature|chain/,
      );
    }
  });

  it("fails on bytes appended after the gzip stream, and on a truncated file", async () => {
    const appended = await verify(Buffer.concat([original, Buffer.from([0])]));
    expect(appended.problems[0]?.subject).toBe("<gzip body> (gzip-digest)");
    const truncated = await verify(original.subarray(0, original.length - 20));
    expect(truncated.problems[0]).toMatchObject({
      check: "archive",
      subject: expect.stringMatching(/gzip/),
    });
  });

  it("fails on one byte changed inside a file of the tar, naming the file", async () => {
    const tar = gunzipSync(original);
    const at = tar.indexOf('"kind":"operator.note"');
    tar[at + 2] = "K".charCodeAt(0);
    const result = await verify(canonicalGzip(tar));
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({
      check: "checksum",
      subject: "ledger/entries.jsonl",
    });
  });

  it("fails on a byte changed between files (tar padding), which no checksum covers", async () => {
    const tar = gunzipSync(original);
    const manifestSize = (sample.files[0] as { content: Buffer }).content.length;
    const padding = 512 + manifestSize; // the first byte of padding after manifest.json
    expect(manifestSize % 512).not.toBe(0);
    tar[padding] = 0x20;
    const result = await verify(canonicalGzip(tar));
    expect(result.problems[0]).toMatchObject({
      check: "archive",
      subject: "<tar stream> (not-canonical)",
    });
  });

  it("rejects hostile tars the way snapshot archives are rejected", async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ["traversal", rawTar([{ name: "../evil", data: "x" }]), /path-traversal/],
      ["absolute", rawTar([{ name: "/etc/passwd", data: "x" }]), /absolute-path/],
      ["symlink", rawTar([{ name: "manifest.json", type: "2", linkname: "/etc/passwd" }]), /link/],
      [
        "duplicate",
        rawTar([
          { name: "a", data: "1" },
          { name: "a", data: "2" },
        ]),
        /duplicate-entry/,
      ],
      ["directory", rawTar([{ name: "evidence/", type: "5" }]), /unexpected-entry/],
      ["bad checksum", rawTar([{ name: "a", data: "1", checksumDelta: 1 }]), /bad-header-checksum/],
      ["no end blocks", rawTar([{ name: "a", data: "1" }], { end: false }), /missing-end-blocks/],
    ];
    for (const [label, tar, rule] of cases) {
      const result = await verify(canonicalGzip(tar), `${label.replace(/ /g, "-")}.tar.gz`);
      expect(result.ok, label).toBe(false);
      expect(result.problems[0]?.subject, label).toMatch(rule);
    }
  });

  it("refuses a gzip bomb past the size limit", async () => {
    const path = join(dir, "bomb.tar.gz");
    await writeFile(path, canonicalGzip(Buffer.alloc(4 * 1024 * 1024)));
    await expect(bundles.read(path, { maxTarBytes: 1024 * 1024 })).rejects.toMatchObject({
      code: "BUNDLE_REJECTED",
      message: expect.stringMatching(/too-large/),
    });
  });

  it("never replaces an existing file", async () => {
    await expect(bundles.write(file, sample.files, sample.createdAt)).rejects.toMatchObject({
      code: "BUNDLE_EXISTS",
    });
    expect(await readFile(file)).toEqual(original);
  });

  it("says so when the file is not there", async () => {
    await expect(bundles.read(join(dir, "missing.tar.gz"))).rejects.toMatchObject({
      code: "BUNDLE_NOT_FOUND",
    });
  });
});

import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isShipsafeError } from "../../domain/errors.js";
import type { ArchiveLimits } from "../../ports/snapshot-archive.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import { manifestHashOf } from "../snapshots/dir/snapshot-manifest.js";
import { HEADER_ENTRY, MANIFEST_ENTRY, SUMS_ENTRY } from "./archive-format.js";
import { type RawEntry, rawTar } from "./raw-tar.test-support.js";
import { inspectArchive, readArchive } from "./read-archive.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const FILES: Record<string, Record<string, string>> = {
  main: { "app.db": "database bytes\n" },
  uploads: { "2026/a.txt": "alpha\n", "2026/b.txt": "bravo\n", "caf\u00e9.txt": "café\n" },
};

function validManifest(): SnapshotManifest {
  const assets = Object.entries(FILES).map(([name, files]) => {
    const list = Object.entries(files).map(([path, text]) => ({
      path,
      size: Buffer.byteLength(text),
      sha256: sha(text),
    }));
    const size = list.reduce((n, f) => n + f.size, 0);
    return { name, kind: "files" as const, source: name, files: list, size, details: {} };
  });
  const body = {
    id: "snap-20260101T000000Z-abcdef",
    env: "prod",
    service: "shop",
    createdAt: "2026-01-01T00:00:00.000Z",
    reason: "manual",
    assets,
    size: assets.reduce((n, a) => n + a.size, 0),
  };
  return { ...body, manifestHash: manifestHashOf(body) };
}

function metadata(manifest = validManifest(), sums?: string): RawEntry[] {
  const header = {
    format: "shipsafe-archive/1",
    createdAt: manifest.createdAt,
    snapshotId: manifest.id,
    manifestHash: manifest.manifestHash,
    signature: { keyId: "k", publicKeyPem: "pem", sig: "s" },
  };
  const lines =
    sums ??
    Object.entries(FILES)
      .flatMap(([asset, files]) =>
        Object.entries(files).map(([path, text]) => `${sha(text)}  data/${asset}/${path}\n`),
      )
      .join("");
  return [
    { name: HEADER_ENTRY, data: JSON.stringify(header) },
    { name: MANIFEST_ENTRY, data: JSON.stringify(manifest) },
    { name: SUMS_ENTRY, data: lines },
  ];
}

function dataEntries(): RawEntry[] {
  return Object.entries(FILES).flatMap(([asset, files]) =>
    Object.entries(files).map(([path, text]) => ({ name: `data/${asset}/${path}`, data: text })),
  );
}

const valid = (): RawEntry[] => [...metadata(), ...dataEntries()];

/** The archive cut `keep` bytes after the start of the header of `name`. */
function cut(tar: Buffer, name: string, keep: number): Buffer {
  for (let at = 0; at < tar.length; at += 512) {
    if (tar.subarray(at, at + name.length).toString("utf8") === name) {
      return tar.subarray(0, at + keep);
    }
  }
  throw new Error(`${name} is not in the archive`);
}

let work: string;
let staging: string;
let archive: string;

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === archive) continue;
    out.push(`${path}${entry.isDirectory() ? "/" : ""}`);
    if (entry.isDirectory()) out.push(...(await tree(path)));
  }
  return out.sort();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-hostile-"));
  staging = join(work, "staging", "parent");
  archive = join(work, "staging", "archive.tar");
  await mkdir(staging, { recursive: true });
  await mkdir(join(work, "canary"));
  await writeFile(join(work, "canary", "passwd"), "root:x:0:0\n");
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

let before: string[];
beforeEach(async () => {
  before = await tree(work);
});

/** Stages `bytes`, expects ARCHIVE_REJECTED for `rule`, and nothing left anywhere. */
async function expectRejected(
  bytes: Buffer,
  rule: string,
  entry?: string | RegExp,
  limits: Partial<ArchiveLimits> = {},
): Promise<void> {
  await writeFile(archive, bytes);
  const error = await readArchive(archive, staging, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isShipsafeError(error), String(error)).toBe(true);
  if (!isShipsafeError(error)) return;
  expect(error.code).toBe("ARCHIVE_REJECTED");
  expect(error.exitCode).toBe(4);
  expect(error.problems[0]?.path, error.message).toBe(rule);
  expect(error.message).toContain(`rule ${rule}`);
  if (entry !== undefined) expect(error.location).toMatch(entry);
  // Rejected whole: the staging parent is empty again and nothing appeared anywhere else.
  expect(await readdir(staging)).toEqual([]);
  expect(await tree(work)).toEqual(before);
  expect(await readFile(join(work, "canary", "passwd"), "utf8")).toBe("root:x:0:0\n");
  // Inspecting (no extraction) rejects it for the same rule.
  await expect(inspectArchive(archive, limits)).rejects.toMatchObject({
    code: "ARCHIVE_REJECTED",
    problems: [{ path: rule }],
  });
}

describe("readArchive", () => {
  it("accepts a well-formed archive, staging every file privately", async () => {
    await writeFile(archive, rawTar(valid()));
    const staged = await readArchive(archive, staging);
    try {
      expect(staged.manifest.id).toBe("snap-20260101T000000Z-abcdef");
      expect(staged.entries).toBe(7);
      expect(await readFile(join(staged.dataDir, "uploads/2026/b.txt"), "utf8")).toBe("bravo\n");
      expect((await stat(join(staged.dataDir, ".."))).mode & 0o777).toBe(0o700);
      expect(staged.sha256).toBe(
        createHash("sha256")
          .update(await readFile(archive))
          .digest("hex"),
      );
    } finally {
      await staged.discard();
    }
    expect(await readdir(staging)).toEqual([]);
  });

  const d = (name: string, rest: Partial<RawEntry> = {}): RawEntry => ({
    name,
    data: "x",
    ...rest,
  });
  const cases: Array<
    [string, () => Buffer, string, (string | RegExp | undefined)?, Partial<ArchiveLimits>?]
  > = [
    ["../escape", () => rawTar([d("../escape")]), "path-traversal", "../escape"],
    [
      "../escape after the metadata",
      () => rawTar([...metadata(), d("../escape")]),
      "path-traversal",
    ],
    ["/abs/path", () => rawTar([...metadata(), d("/abs/path")]), "absolute-path", "/abs/path"],
    ["data/main/../../x", () => rawTar([...metadata(), d("data/main/../../x")]), "path-traversal"],
    ["a/../../x", () => rawTar([d("a/../../x")]), "path-traversal"],
    ["a\\..\\x", () => rawTar([...metadata(), d("data\\..\\..\\x")]), "backslash"],
    ["./data/x", () => rawTar([...metadata(), d("data/./main/x")]), "empty-segment"],
    ["data//x", () => rawTar([...metadata(), d("data//main/x")]), "empty-segment"],
    ["NUL inside a name", () => rawTar([...metadata(), d("data/main/a\0b")]), "nul-in-name"],
    ["control character", () => rawTar([...metadata(), d("data/main/a\nb")]), "bad-name"],
    [
      "symlink to /etc/passwd",
      () =>
        rawTar([...metadata(), { name: "data/main/passwd", type: "2", linkname: "/etc/passwd" }]),
      "link",
      "data/main/passwd",
    ],
    [
      "symlink inside, then a file through it",
      () =>
        rawTar([
          ...metadata(),
          { name: "data/main/ln", type: "2", linkname: "../../../canary" },
          d("data/main/ln/passwd"),
        ]),
      "link",
      "data/main/ln",
    ],
    [
      "hardlink to outside",
      () =>
        rawTar([...metadata(), { name: "data/main/app.db", type: "1", linkname: "/etc/shadow" }]),
      "link",
    ],
    [
      "pax linkpath",
      () => rawTar([...metadata(), { ...d("data/main/app.db"), pax: { linkpath: "/etc/passwd" } }]),
      "link",
    ],
    [
      "pax path escaping",
      () => rawTar([...metadata(), { ...d("data/main/ok"), pax: { path: "../../x" } }]),
      "path-traversal",
      "../../x",
    ],
    [
      "GNU long name",
      () => rawTar([...metadata(), { name: "././@LongLink", type: "L", data: "../x" }]),
      "unsupported-type",
    ],
    [
      "global pax header",
      () => rawTar([...metadata(), { name: "g", type: "g", data: "" }]),
      "unsupported-pax",
    ],
    [
      "character device",
      () => rawTar([...metadata(), { name: "data/main/null", type: "3" }]),
      "device",
    ],
    ["block device", () => rawTar([...metadata(), { name: "data/main/sda", type: "4" }]), "device"],
    ["fifo", () => rawTar([...metadata(), { name: "data/main/fifo", type: "6" }]), "device"],
    [
      "duplicate entry",
      () => rawTar([...valid(), d("data/main/app.db", { data: "database bytes\n" })]),
      "duplicate-entry",
      "data/main/app.db",
    ],
    [
      "duplicate after case folding",
      () => rawTar([...valid(), d("data/main/APP.db")]),
      "case-fold-duplicate",
      "data/main/APP.db",
    ],
    [
      "duplicate after Unicode normalization",
      () => rawTar([...valid(), d("data/uploads/cafe\u0301.txt")]),
      "case-fold-duplicate",
    ],
    [
      "a file used as a directory",
      () => rawTar([...valid(), d("data/main/app.db/x")]),
      "path-conflict",
    ],
    [
      "oversized entry (size field over the limit)",
      () => rawTar([...metadata(), { name: "data/main/app.db", size: 2_000_000_000 }]),
      "entry-too-large",
      "data/main/app.db",
      { maxFileBytes: 1_000_000 },
    ],
    [
      "oversized entry through a pax size (100 GiB, default limits)",
      () =>
        rawTar([
          ...metadata(),
          { name: "data/main/app.db", pax: { size: String(100 * 1024 ** 3) } },
        ]),
      "entry-too-large",
    ],
    [
      "total size over the limit",
      () => rawTar(valid()),
      "archive-too-large",
      MANIFEST_ENTRY,
      { maxTotalBytes: 10 },
    ],
    ["too many entries", () => rawTar(valid()), "too-many-entries", undefined, { maxEntries: 4 }],
    [
      "truncated in the middle of a file",
      () => cut(rawTar(valid()), "data/main/app.db", 512 + 3),
      "truncated",
      "data/main/app.db",
    ],
    [
      "truncated in a header",
      () => cut(rawTar(valid()), "data/main/app.db", 100),
      "truncated",
      /header at byte \d+/,
    ],
    [
      "size field larger than the bytes present",
      () =>
        rawTar([...metadata(), { name: "data/main/app.db", size: 15, data: "" }], { end: false }),
      "truncated",
    ],
    ["missing end blocks", () => rawTar(valid(), { end: false }), "missing-end-blocks"],
    [
      "data after the end blocks",
      () => Buffer.concat([rawTar(valid()), rawTar([d("data/main/late")])]),
      "data-after-end",
    ],
    [
      "bad header checksum",
      () => rawTar([...metadata(), { ...d("data/main/app.db"), checksumDelta: 1 }]),
      "bad-header-checksum",
      "data/main/app.db",
    ],
    ["GNU magic", () => rawTar([{ name: HEADER_ENTRY, data: "{}", magic: "ustar " }]), "not-ustar"],
    [
      "deep path",
      () => rawTar([...metadata(), d(`data/main/${Array(40).fill("d").join("/")}`)]),
      "too-deep",
    ],
    [
      "long segment",
      () =>
        rawTar([
          ...metadata(),
          { ...d("data/main/x"), pax: { path: `data/main/${"n".repeat(300)}` } },
        ]),
      "name-too-long",
    ],
    [
      "extra unexpected top-level file",
      () => rawTar([...valid(), d("extra.txt")]),
      "unexpected-entry",
      "extra.txt",
    ],
    [
      "metadata out of order",
      () => rawTar([metadata()[1] as RawEntry, metadata()[0] as RawEntry]),
      "unexpected-entry",
    ],
    [
      "data not listed in the manifest",
      () => rawTar([...valid(), d("data/main/smuggled")]),
      "unlisted-entry",
      "data/main/smuggled",
    ],
    [
      "data that does not match its checksum",
      () => rawTar([...metadata(), d("data/main/app.db", { data: "DATABASE bytes\n" })]),
      "checksum-mismatch",
      "data/main/app.db",
    ],
    [
      "a file of the manifest missing",
      () => rawTar(valid().slice(0, -1)),
      "missing-entry",
      "data/uploads/café.txt",
    ],
    [
      "SHA256SUMS disagreeing with the manifest",
      () =>
        rawTar([
          ...metadata(validManifest(), `${sha("evil")}  data/main/app.db\n`),
          ...dataEntries(),
        ]),
      "manifest-mismatch",
      SUMS_ENTRY,
    ],
    [
      "manifest edited without recomputing its hash",
      () => {
        const m = { ...validManifest(), reason: "edited" };
        return rawTar([...metadata(m), ...dataEntries()]);
      },
      "bad-metadata",
      MANIFEST_ENTRY,
    ],
  ];

  for (const [title, build, rule, entry, limits] of cases) {
    it(`rejects ${title} (${rule})`, async () => {
      await expectRejected(build(), rule, entry, limits);
    });
  }

  it("rejects a missing archive as ARCHIVE_NOT_FOUND (usage)", async () => {
    await expect(readArchive(join(work, "nope.tar"), staging)).rejects.toMatchObject({
      code: "ARCHIVE_NOT_FOUND",
      kind: "usage",
    });
    expect(await readdir(staging)).toEqual([]);
  });
});

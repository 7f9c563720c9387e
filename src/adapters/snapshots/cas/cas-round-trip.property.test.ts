import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultCdcParams } from "../../../domain/chunking/fast-cdc.js";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { meta, openCas } from "./cas-fixtures.test-support.js";

const { minSize, avgSize, maxSize } = defaultCdcParams;
const KB = 1024;

/** How a file's bytes are made: a seed keeps a shrunk counterexample reproducible. */
type Content = { kind: "random" | "repeat" | "zeros"; seed: number; size: number };
interface FileSpec {
  readonly dir: readonly string[];
  readonly name: string;
  readonly mode: number;
  readonly content: Content;
}

const segment = fc.stringMatching(/^[a-zA-Z0-9 ._é-]{1,12}$/);
const size = fc.oneof(
  fc.constantFrom(0, 1, minSize - 1, minSize, minSize + 1, avgSize, maxSize - 1, maxSize),
  fc.constantFrom(maxSize + 1, 2 * maxSize, 4096, 8192),
  fc.integer({ min: 0, max: 300 * KB }),
);
const fileSpec: fc.Arbitrary<FileSpec> = fc.record({
  // Directories are "d-…", files "f-…": a name is never both.
  dir: fc.array(
    segment.map((s) => `d-${s}`),
    { maxLength: 3 },
  ),
  name: segment.map((s) => `f-${s}`),
  mode: fc.constantFrom(0o600, 0o644, 0o755, 0o400),
  content: fc.record({
    kind: fc.constantFrom("random", "repeat", "zeros"),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    size,
  }),
});
const tree = fc.record({
  files: fc.uniqueArray(fileSpec, {
    minLength: 1,
    maxLength: 10,
    selector: (f) => [...f.dir, f.name].join("/"),
  }),
  emptyDirs: fc.array(
    fc.array(
      segment.map((s) => `d-${s}`),
      { minLength: 1, maxLength: 2 },
    ),
    {
      maxLength: 2,
    },
  ),
  mutationSeed: fc.integer({ min: 0, max: 1000 }),
});

function bytesOf({ kind, seed, size }: Content): Buffer {
  const out = Buffer.alloc(size);
  if (kind === "zeros") return out;
  let x = seed | 1;
  const period = kind === "repeat" ? 1 + (seed % 5000) : size;
  for (let i = 0; i < Math.min(period, size); i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  for (let i = period; i < size; i++) out[i] = out[i - period] as number;
  return out;
}

/** Every entry under `dir`: relative path → "dir <mode>" or "file <mode>" plus the bytes. */
async function snapshotOfTree(dir: string): Promise<Map<string, { kind: string; bytes?: Buffer }>> {
  const out = new Map<string, { kind: string; bytes?: Buffer }>();
  for (const rel of (await readdir(dir, { recursive: true })).map(String).sort()) {
    const path = join(dir, rel);
    const info = await stat(path);
    const mode = (info.mode & 0o777).toString(8);
    if (info.isDirectory()) out.set(rel, { kind: `dir ${mode}` });
    else out.set(rel, { kind: `file ${mode}`, bytes: await readFile(path) });
  }
  return out;
}

function expectSameTree(
  actual: Map<string, { kind: string; bytes?: Buffer }>,
  expected: Map<string, { kind: string; bytes?: Buffer }>,
): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [path, entry] of expected) {
    const got = actual.get(path);
    expect(got?.kind, path).toBe(entry.kind);
    if (entry.bytes) expect(got?.bytes?.equals(entry.bytes), path).toBe(true);
  }
}

describe("content-addressed snapshots of random file trees", () => {
  it("whatever verify passes, restore restores (live and into a sandbox)", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async ({ files, emptyDirs, mutationSeed }) => {
        const work = await mkdtemp(join(tmpdir(), "shipsafe-cas-prop-"));
        try {
          const base = join(work, "live");
          const top = join(base, "tree");
          await mkdir(top, { recursive: true });
          for (const dir of emptyDirs) await mkdir(join(top, ...dir), { recursive: true });
          for (const file of files) {
            await mkdir(join(top, ...file.dir), { recursive: true });
            const path = join(top, ...file.dir, file.name);
            await writeFile(path, bytesOf(file.content));
            await chmod(path, file.mode);
          }
          const original = await snapshotOfTree(top);
          const asset = createFilesAsset({ name: "tree", paths: [top], baseDir: base });

          const { store } = await openCas(join(work, "cas"));
          const snapshot = await store.create(meta, [asset]);
          const verification = await store.verify(snapshot.id);
          expect(verification.problems).toEqual([]);
          if (!verification.ok) return;

          // Damage the live tree: rewrite, truncate, grow, delete files, delete a directory.
          for (const [i, file] of files.entries()) {
            const path = join(top, ...file.dir, file.name);
            const action = (mutationSeed + i) % 5;
            await chmod(path, 0o644);
            if (action === 0) await rm(path);
            if (action === 1) await writeFile(path, "changed");
            if (action === 2) await writeFile(path, Buffer.alloc(0));
            if (action === 3)
              await writeFile(path, Buffer.concat([bytesOf(file.content), Buffer.from("x")]));
          }
          const firstDir = files.find((f) => f.dir.length > 0)?.dir[0];
          if (firstDir !== undefined)
            await rm(join(top, firstDir), { recursive: true, force: true });
          await writeFile(join(top, "f-created-after"), "new");

          await store.restore(snapshot.id, [asset]);
          const restored = await snapshotOfTree(top);
          // A files restore leaves files created since the snapshot in place (documented).
          expect(restored.get("f-created-after")?.bytes?.toString()).toBe("new");
          restored.delete("f-created-after");
          expectSameTree(restored, original);

          const sandbox = join(work, "sandbox");
          const reports = await store.restoreInto(snapshot.id, [asset], sandbox);
          expect(reports.map((r) => r.ok)).toEqual([true]);
          expectSameTree(await snapshotOfTree(join(sandbox, "tree", "tree")), original);
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      }),
      { numRuns: 20 },
    );
  });
});

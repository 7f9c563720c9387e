import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { readAssetList, readChunks, writeSnapshotDocuments } from "./cas-documents.js";
import { ChunkList } from "./chunk-list.js";

/** The chunk-list hash as manifests have always defined it: sha256 over `<hex id> <length>\n`. */
function textHash(refs: readonly (readonly [string, number])[]): string {
  return createHash("sha256")
    .update(refs.map(([id, length]) => `${id} ${length}\n`).join(""))
    .digest("hex");
}

const refsArb = fc.array(
  fc.tuple(
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex")),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  ),
  { maxLength: 300 },
);

describe("ChunkList", () => {
  it("keeps ids and lengths in order and hashes like the text definition", () => {
    fc.assert(
      fc.property(refsArb, (refs) => {
        const list = ChunkList.from(refs);
        expect(list.count).toBe(refs.length);
        expect(refs.map((_, i) => [list.idHex(i), list.length(i)])).toEqual(refs);
        expect(list.totalBytes).toBe(refs.reduce((sum, [, n]) => sum + n, 0));
        expect(list.hash()).toBe(textHash(refs));
      }),
    );
  });

  it("takes a block's chunks at once (pushCuts) and hashes as it goes, as push one by one", () => {
    const blockRefs = fc.array(
      fc.tuple(
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex")),
        fc.integer({ min: 1, max: 1_000_000 }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(blockRefs, fc.boolean()), { maxLength: 12 }), (blocks) => {
        const list = new ChunkList(1);
        for (const [refs, hashNow] of blocks) {
          // A block's ids back to back, then room the block's cuts do not claim.
          const ids = Buffer.concat([
            ...refs.map(([id]) => Buffer.from(id, "hex")),
            randomBytes(64),
          ]);
          let end = 0;
          list.pushCuts(
            ids,
            refs.map(([, length]) => (end += length)),
          );
          if (hashNow) list.hashSoFar();
        }
        const all = blocks.flatMap(([refs]) => refs);
        expect(list.count).toBe(all.length);
        expect(list.totalBytes).toBe(all.reduce((sum, [, n]) => sum + n, 0));
        expect(list.hash()).toBe(textHash(all));
        expect(list.hash()).toBe(textHash(all)); // hash() leaves the running hash open
      }),
    );
    expect(() => new ChunkList().pushCuts(new Uint8Array(63), [1, 2])).toThrow(RangeError);
  });

  it("finds the chunks it names and no others", () => {
    const ids = [randomBytes(32), randomBytes(32)];
    const list = new ChunkList(1);
    list.push(ids[0] as Buffer, 10);
    expect(list.includes((ids[0] as Buffer).toString("hex"))).toBe(true);
    expect(list.includes((ids[1] as Buffer).toString("hex"))).toBe(false);
    expect(list.includes("not hex")).toBe(false);
  });

  it("refuses an id that is not 64 hex characters or 32 bytes", () => {
    const list = new ChunkList();
    expect(() => list.push("ab".repeat(31), 1)).toThrow(/64 hex characters/);
    expect(() => list.push(`${"ab".repeat(31)}zz`, 1)).toThrow(/64 hex characters/);
    expect(() => list.push(new Uint8Array(31), 1)).toThrow(/32 bytes/);
  });
});

describe("chunk list files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipsafe-lists-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const manifest = (id: string) => ({ id }) as SnapshotManifest;

  it("round-trip through the binary format, named by their hash", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), refsArb, { maxKeys: 5 }),
        async (files) => {
          const lists = {
            db: Object.fromEntries(
              Object.entries(files).map(([path, refs]) => [path, ChunkList.from(refs)]),
            ),
          };
          const id = `snap-${Math.random().toString(16).slice(2)}`;
          await writeSnapshotDocuments(dir, manifest(id), lists);
          const read = (await readChunks(dir, id)).lists.db ?? {};
          expect(Object.keys(read).sort()).toEqual(Object.keys(files).sort());
          for (const [path, refs] of Object.entries(files)) {
            const list = read[path] as ChunkList;
            expect(
              Array.from({ length: list.count }, (_, i) => [list.idHex(i), list.length(i)]),
            ).toEqual(refs);
          }
        },
      ),
      // fast-check once found that a file named "__proto__" vanished: kept as an example.
      {
        numRuns: 25,
        examples: [[{ ["__proto__"]: [["c".repeat(64), 4096]] as [string, number][] }]],
      },
    );
    for (const name of await readdir(join(dir, "lists"))) {
      const bytes = await readFile(join(dir, "lists", name));
      expect(name).toBe(`${createHash("sha256").update(bytes).digest("hex")}.bin`);
    }
  });

  it("still reads format 2 (JSON lists)", async () => {
    const refs: [string, number][] = [
      ["a".repeat(64), 4096],
      ["b".repeat(64), 17],
    ];
    const text = JSON.stringify({ "app.db": refs });
    const hash = createHash("sha256").update(text).digest("hex");
    await writeSnapshotDocuments(dir, manifest("seed"), {}); // creates lists/
    await writeFile(join(dir, "lists", `${hash}.json`), text);
    await writeFile(join(dir, "old.chunks"), JSON.stringify({ format: 2, assets: { db: hash } }));
    const list = (await readChunks(dir, "old")).lists.db?.["app.db"] as ChunkList;
    expect([list.idHex(1), list.length(1), list.hash()]).toEqual([
      "b".repeat(64),
      17,
      textHash(refs),
    ]);
  });

  it("store a database's equal page lengths as one run, and still read SSLIST01", async () => {
    const refs: [string, number][] = Array.from({ length: 1000 }, (_, i) => [
      createHash("sha256").update(`page ${i}`).digest("hex"),
      4096,
    ]);
    refs.push(["d".repeat(64), 17]);
    await writeSnapshotDocuments(dir, manifest("runs"), { db: { "app.db": ChunkList.from(refs) } });
    const [name] = await readdir(join(dir, "lists"));
    const bytes = await readFile(join(dir, "lists", name as string));
    // magic, file count, path length, path, chunk count, ids, run count, two runs
    expect(bytes.length).toBe(8 + 4 + 4 + 6 + 4 + 1001 * 32 + 4 + 2 * 8);
    const read = (await readChunks(dir, "runs")).lists.db?.["app.db"] as ChunkList;
    expect(read.hash()).toBe(textHash(refs));

    // The same list in the first binary format: one u32 length per chunk.
    const ids = Buffer.concat(refs.map(([id]) => Buffer.from(id, "hex")));
    const lengths = Buffer.alloc(refs.length * 4);
    refs.forEach(([, length], i) => {
      lengths.writeUInt32LE(length, i * 4);
    });
    const counts = Buffer.alloc(12);
    counts.writeUInt32LE(1, 0);
    counts.writeUInt32LE(6, 4);
    const v1 = Buffer.concat([
      Buffer.from("SSLIST01"),
      counts.subarray(0, 8),
      Buffer.from("app.db"),
      Buffer.from(Uint32Array.of(refs.length).buffer),
      ids,
      lengths,
    ]);
    const v1Hash = createHash("sha256").update(v1).digest("hex");
    await writeFile(join(dir, "lists", `${v1Hash}.bin`), v1);
    expect((await readAssetList(dir, v1Hash))["app.db"]?.hash()).toBe(textHash(refs));

    // Runs that do not add up to the chunk count are refused, even under a matching name.
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(999, bytes.length - 16);
    const badHash = createHash("sha256").update(bad).digest("hex");
    await writeFile(join(dir, "lists", `${badHash}.bin`), bad);
    await expect(readAssetList(dir, badHash)).rejects.toThrow(/do not cover/);
  });

  it("refuse a list whose bytes do not match its name, or that is cut short", async () => {
    await writeSnapshotDocuments(dir, manifest("s1"), {
      db: { "app.db": ChunkList.from([["c".repeat(64), 1]]) },
    });
    const [name] = await readdir(join(dir, "lists"));
    const path = join(dir, "lists", name as string);
    const bytes = await readFile(path);
    const hash = (name as string).slice(0, 64);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    await writeFile(path, bytes);
    await expect(readAssetList(dir, hash)).rejects.toThrow(/damaged/);
    const short = bytes.subarray(0, bytes.length - 3);
    const shortHash = createHash("sha256").update(short).digest("hex");
    await writeFile(join(dir, "lists", `${shortHash}.bin`), short);
    await expect(readAssetList(dir, shortHash)).rejects.toThrow(/truncated/);
  });
});

import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { builtModule } from "../../../../test/helpers/built-module.js";
import { isShipsafeError } from "../../../domain/errors.js";
import { BlobTable, ID_BYTES } from "./blob-table.js";
import { encodeIndex, indexFileName } from "./index-format.js";
import { loadIndex } from "./index-loader.js";
import { type IndexState, loadIndexState } from "./index-state.js";
import { openLocalPackStore } from "./local-pack-store.js";

const idOf = (n: number): Buffer => createHash("sha256").update(`blob ${n}`).digest();
const packId = (n: number): string => createHash("sha256").update(`pack ${n}`).digest("hex");

let dir: string;
let indexDir: string;
let workerUrl: URL;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-index-"));
  indexDir = join(dir, "index");
  await mkdir(indexDir);
  workerUrl = new URL(await builtModule("adapters/objects/local-packs/index-loader-worker.ts"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Writes an index file naming blobs `from..to-1` in one pack, each at `base + n`; its name. */
async function writeIndex(from: number, to: number, pack: number, base: number): Promise<string> {
  const table = new BlobTable();
  for (let n = from; n < to; n++) table.insert(idOf(n), 0, 0, base + n, 100 + n, n, n % 7);
  const bytes = encodeIndex([{ id: packId(pack), size: 1 << 20 }], table);
  const name = indexFileName(bytes);
  await writeFile(join(indexDir, name), bytes);
  return name;
}

/** Where the state says blob `n` is: [pack id, offset]. */
function locationOf(state: IndexState, n: number): [string, number] | undefined {
  const at = state.table.find(idOf(n));
  if (at < 0) return undefined;
  return [(state.packs[state.table.pack(at)] as { id: string }).id, state.table.offset(at)];
}

describe("loading a store's index", () => {
  it("gives the same state on a worker thread as here; an id in two files is where the larger says", async () => {
    // The smaller file's name sorts first: the larger is still taken first, whole.
    let names: string[];
    let base = 10_000;
    do {
      await rm(indexDir, { recursive: true, force: true });
      await mkdir(indexDir);
      names = [await writeIndex(0, 300, 1, 0), await writeIndex(200, 400, 2, base++)];
    } while ((names[1] as string) > (names[0] as string));
    const here = await loadIndexState(indexDir);
    const away = await loadIndex(indexDir, workerUrl, 0);
    for (const state of [here, away]) {
      expect(state.table.size).toBe(400);
      expect([...state.files].sort()).toEqual([...names].sort());
      // Entries are counted per pack with the repeats: prune weighs packs by them.
      expect(state.packs.map((p) => [p.id, p.blobs]).sort()).toEqual(
        [
          [packId(1), 300],
          [packId(2), 200],
        ].sort(),
      );
      for (const n of [0, 199, 250, 299]) expect(locationOf(state, n)).toEqual([packId(1), n]);
      for (const n of [300, 399]) expect(locationOf(state, n)).toEqual([packId(2), base - 1 + n]);
      expect(state.table.within(state.table.find(idOf(250)))).toBe(250 % 7);
      expect(locationOf(state, 400)).toBeUndefined();
    }
  });

  it("keeps the first entry of an id a single file lists twice (a version 2 file, written by hand)", async () => {
    const entry = (n: number, offset: number) => {
      const out = Buffer.alloc(ID_BYTES + 20);
      idOf(n).copy(out);
      [0, offset, 10, 0, 0].forEach((value, k) => {
        out.writeUInt32LE(value, ID_BYTES + 4 * k);
      });
      return out;
    };
    const header = Buffer.alloc(16 + 40);
    header.write("SSIDX002", 0, "latin1");
    header.writeUInt32LE(1, 8);
    header.writeUInt32LE(3, 12);
    header.write(packId(1), 16, "hex");
    const bytes = Buffer.concat([header, entry(1, 111), entry(2, 222), entry(1, 333)]);
    await writeFile(join(indexDir, indexFileName(bytes)), bytes);
    for (const state of [await loadIndexState(indexDir), await loadIndex(indexDir, workerUrl, 0)]) {
      expect(state.table.size).toBe(2);
      expect(locationOf(state, 1)).toEqual([packId(1), 111]);
      expect(locationOf(state, 2)).toEqual([packId(1), 222]);
    }
  });

  it("reports a damaged index file from the worker thread as it does here", async () => {
    const name = await writeIndex(0, 50, 1, 0);
    await writeFile(join(indexDir, name), Buffer.from("not the bytes its name says"));
    for (const load of [() => loadIndexState(indexDir), () => loadIndex(indexDir, workerUrl, 0)]) {
      const error = await load().catch((e: unknown) => e);
      expect(isShipsafeError(error)).toBe(true);
      expect(error).toMatchObject({
        code: "OBJECT_INDEX_CORRUPT",
        location: join(indexDir, name),
        message: expect.stringContaining("do not match its name"),
        hint: expect.stringContaining("put the index file back"),
      });
    }
  });

  it("is read ahead by prefetch, and a failure then is reported by the call that needs it", async () => {
    const store = await openLocalPackStore(dir);
    const writer = await store.writer();
    const data = Buffer.from("a blob");
    const id = createHash("sha256").update(data).digest();
    await writer.add(id.toString("hex"), data);
    await writer.commit();

    const reopened = await openLocalPackStore(dir);
    reopened.prefetch();
    reopened.prefetch(); // asked twice: read once
    expect([...(await reopened.lacking(Buffer.concat([id, idOf(1)])))]).toEqual([0, 1]);

    const damaged = await openLocalPackStore(dir);
    const [name] = await readdir(indexDir);
    await writeFile(join(indexDir, name as string), Buffer.from("damaged"));
    damaged.prefetch(); // no unhandled rejection
    await expect(damaged.lacking(id)).rejects.toMatchObject({ code: "OBJECT_INDEX_CORRUPT" });
  });
});

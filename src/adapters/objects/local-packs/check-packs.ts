import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { crc32 } from "node:zlib";
import type { BadBlob, ObjectStoreCheck } from "../../../ports/object-store.js";
import type { IndexState } from "./index-state.js";
import { packNameOf, packPath } from "./pack-builder.js";
import { trailerStart } from "./pack-format.js";

/**
 * Reads every indexed pack whole: its trailer's sha256 must match its name (the whole file's, for
 * packs written by earlier versions), and every blob the index places
 * in it must lie inside it with a matching CRC-32. A damaged trailer (outside any blob) is reported
 * with an empty blob id.
 */
export async function checkPacks(packsDir: string, state: IndexState): Promise<ObjectStoreCheck> {
  const { table, packs } = state;
  const byPack = blobsByPack(state);
  const bad: BadBlob[] = [];
  for (let p = 0; p < packs.length; p++) {
    const pack = (packs[p] as { id: string }).id;
    const blobs = byPack[p] as number[];
    let bytes: Buffer;
    try {
      bytes = await readFile(packPath(packsDir, pack));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      for (const i of blobs) bad.push({ id: table.idHex(i), pack, problem: "pack file missing" });
      continue;
    }
    const before = bad.length;
    // Members of one frame share its extent: check it once, report every member it damages.
    let checked: { offset: number; length: number; problem: string | undefined } | undefined;
    for (const i of blobs) {
      if (checked?.offset !== table.offset(i) || checked.length !== table.length(i)) {
        const end = table.offset(i) + table.length(i);
        const problem =
          end > bytes.length
            ? "pack file shorter than the index says"
            : crc32(bytes.subarray(table.offset(i), end)) !== table.crc(i)
              ? "CRC-32 mismatch"
              : undefined;
        checked = { offset: table.offset(i), length: table.length(i), problem };
      }
      if (checked.problem) bad.push({ id: table.idHex(i), pack, problem: checked.problem });
    }
    const intact = isNamedBy(bytes, pack);
    if (!intact && bad.length === before) {
      bad.push({ id: "", pack, problem: "pack bytes do not match its name (trailer damaged)" });
    }
  }
  return { ok: bad.length === 0, packs: packs.length, blobs: table.size, bad };
}

/** Whether `name` is the pack's name: the sha256 of its trailer, or of the whole file (older). */
function isNamedBy(bytes: Buffer, name: string): boolean {
  const start = trailerStart(bytes);
  if (start !== undefined && packNameOf(bytes.subarray(start)) === name) return true;
  return createHash("sha256").update(bytes).digest("hex") === name;
}

/** Entry indexes per pack number, each list in offset order. */
export function blobsByPack(state: IndexState): number[][] {
  const lists: number[][] = state.packs.map(() => []);
  for (let i = 0; i < state.table.size; i++) lists[state.table.pack(i)]?.push(i);
  for (const list of lists) list.sort((a, b) => state.table.offset(a) - state.table.offset(b));
  return lists;
}

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { FrameMap } from "../../../ports/object-store.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { ChunkList } from "./chunk-list.js";
import { chunkTable, frameOrder, piecesByFrame, targetsOf, taskOf } from "./restore-plan.js";

const id = (n: number): string => createHash("sha256").update(String(n)).digest("hex");

/** Two files: `small.txt` (one chunk of 100 B) and `big.db` (three pages of 4 KiB). */
function snapshot(): {
  manifest: SnapshotManifest;
  lists: Record<string, Record<string, ChunkList>>;
} {
  const small = ChunkList.from([[id(0), 100]]);
  const big = ChunkList.from([
    [id(1), 4096],
    [id(2), 4096],
    [id(3), 4096],
  ]);
  const files = [
    { path: "small.txt", size: 100, sha256: "", chunks: small.hash() },
    { path: "big.db", size: 12288, sha256: "", chunks: big.hash() },
  ];
  const manifest = {
    id: "snap-1",
    assets: [{ name: "a", kind: "files", source: "/x", files, size: 12388, details: {} }],
  } as unknown as SnapshotManifest;
  return { manifest, lists: { a: { "small.txt": small, "big.db": big } } };
}

// The chunks in table order: small.txt's, then big.db's three. Frame 0 holds small.txt's chunk,
// frame 1 big.db's first two pages, frame 2 its last page.
const map: FrameMap = {
  frames: 3,
  frameOf: Uint32Array.of(0, 1, 1, 2),
  within: Uint32Array.of(0, 0, 4096, 0),
  storedBytes: Uint32Array.of(50, 3000, 1500),
};

describe("the restore plan", () => {
  it("restores the largest file's frames first and groups each task's pieces by frame", () => {
    const { manifest, lists } = snapshot();
    const targets = targetsOf(manifest, lists, "/restore");
    expect(targets.map((t) => [t.path, t.remaining])).toEqual([
      ["/restore/a/small.txt", 100],
      ["/restore/a/big.db", 12288],
    ]);
    const chunks = chunkTable(targets);
    expect([...chunks.fileOf]).toEqual([0, 1, 1, 1]);
    expect([...chunks.offsetOf]).toEqual([0, 0, 4096, 8192]);
    const byFrame = piecesByFrame(map);
    expect([...byFrame.first]).toEqual([0, 1, 3, 4]);
    expect([...byFrame.blobs]).toEqual([0, 1, 2, 3]);

    const order = frameOrder(map, byFrame, chunks, targets);
    expect([...order]).toEqual([1, 2, 0]);
    const input = new Uint8Array(4550);
    const { task, blobs, bytesPerFile } = taskOf(map, byFrame, chunks, targets, order, input);
    expect(task.frameEnds).toEqual([3000, 4500, 4550]);
    expect(task.data.length).toBe(4550);
    expect([...task.pieces]).toEqual([0, 0, 4096, 0, 4096, 4096, 1, 0, 4096, 2, 0, 100]);
    expect(task.paths).toEqual([targets[1]?.tmp, targets[0]?.tmp]);
    expect([...task.targets]).toEqual([0, 0, 0, 4096, 0, 8192, 1, 0]);
    expect([...blobs]).toEqual([1, 2, 3, 0]);
    expect(Buffer.from(task.ids.subarray(0, 32)).toString("hex")).toBe(id(1));
    expect(Buffer.from(task.ids.subarray(96, 128)).toString("hex")).toBe(id(0));
    expect([...bytesPerFile]).toEqual([
      [1, 12288],
      [0, 100],
    ]);
  });

  it("refuses, before anything is written, a file without a chunk list or with another one", () => {
    const { manifest, lists } = snapshot();
    const swapped = { a: { "small.txt": lists.a?.["big.db"] as ChunkList } };
    expect(() => targetsOf(manifest, swapped, "/restore")).toThrow(
      /a\/small.txt has a chunk list that does not match its manifest; no chunk list for a\/big.db/,
    );
  });
});

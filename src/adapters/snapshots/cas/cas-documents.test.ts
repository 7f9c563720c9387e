import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSmallDisk, type SmallDisk } from "../../../../test/helpers/small-disk.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { writeSnapshotDocuments } from "./cas-documents.js";
import { ChunkList } from "./chunk-list.js";

// A 1 MiB tmpfs (needs root; outside CI a sandbox that forbids mount skips, under CI=true it fails).
let disk: SmallDisk;
beforeAll(async () => {
  disk = await mountSmallDisk(1, "shipsafe-cas-docs-");
});
afterAll(() => disk.remove());

describe("snapshot documents on a full disk", () => {
  it("fail with DISK_FULL naming the file, leave no temp file and publish nothing", async (ctx) => {
    if (!disk.mounted) ctx.skip();
    await writeFile(join(disk.dir, "filler"), Buffer.alloc(900 * 1024));
    const manifest = { id: "snap-20261124T000000Z-abcdef" } as SnapshotManifest;
    // ~290 KiB of chunk list: more than the disk has left.
    const refs = ChunkList.from(
      Array.from({ length: 8000 }, (_, i) => [i.toString(16).padStart(64, "0"), 4096] as const),
    );
    await expect(
      writeSnapshotDocuments(disk.dir, manifest, { db: { "db.sqlite": refs } }),
    ).rejects.toMatchObject({
      code: "DISK_FULL",
      message: expect.stringContaining(disk.dir),
    });
    expect((await readdir(disk.dir)).sort()).toEqual(["filler", "lists"]);
    expect(await readdir(join(disk.dir, "lists"))).toEqual([]);
  });
});

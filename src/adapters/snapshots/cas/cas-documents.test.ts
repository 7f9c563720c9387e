import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSmallDisk, type SmallDisk } from "../../../../test/helpers/small-disk.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { writeSnapshotDocuments } from "./cas-documents.js";

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
    const chunks = "x".repeat(400 * 1024);
    await expect(writeSnapshotDocuments(disk.dir, manifest, chunks)).rejects.toMatchObject({
      code: "DISK_FULL",
      message: expect.stringContaining(disk.dir),
    });
    expect((await readdir(disk.dir)).sort()).toEqual(["filler"]);
  });
});

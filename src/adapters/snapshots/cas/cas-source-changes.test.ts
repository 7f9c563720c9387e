import { randomBytes } from "node:crypto";
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StateAsset } from "../../../ports/state-asset.js";
import { createCodec } from "../../codec/codec.js";
import { createCodecPool } from "../../codec/codec-pool.js";
import { openLocalPackStore } from "../../objects/local-packs/local-pack-store.js";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { builtModule, meta } from "./cas-fixtures.test-support.js";
import { openCasSnapshotStore } from "./cas-snapshot-store.js";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-cas-changes-"));
});
afterEach(() => rm(work, { recursive: true, force: true }));

describe("a file that changes while a snapshot reads it", () => {
  it("fails the snapshot when a file listed small grows past one block, keeping nothing of it", async () => {
    const app = join(work, "app");
    await mkdir(join(app, "config"), { recursive: true });
    const grows = join(app, "config", "grows.log");
    await writeFile(grows, randomBytes(100 * 1024)); // read whole, in one block, when listed
    await writeFile(join(app, "config", "steady.yaml"), "port: 8080\n");
    const files = createFilesAsset({ name: "config", paths: [join(app, "config")], baseDir: app });
    // On worker threads, as shipsafe runs: a block read whole is moved to a worker, not shared.
    const objects = await openLocalPackStore(join(work, "cas", "objects"));
    const workerUrl = new URL(await builtModule("adapters/codec/codec-worker.ts"));
    const store = await openCasSnapshotStore(join(work, "cas"), {
      objects,
      codec: createCodec(),
      workers: () => createCodecPool({ workers: 2, workerUrl }),
    });
    const first = await store.create(meta, [files]);
    const before = await objects.stats();

    // Listed at 100 KiB; 40 MiB more arrive before it is read: ten blocks of 4 MiB, more than
    // are hashed ahead before the first is taken back.
    const growing: StateAsset = {
      ...files,
      fingerprint: async () => undefined, // never reused: it must be read
      open: async () => {
        const opened = await (files.open as NonNullable<StateAsset["open"]>)();
        await appendFile(grows, Buffer.alloc(40 * 1024 * 1024, 7));
        return opened;
      },
    };
    await expect(store.create(meta, [growing])).rejects.toMatchObject({
      code: "SNAPSHOT_SOURCE_CHANGED",
      message: expect.stringContaining("config/grows.log"),
    });
    expect((await store.list()).map((s) => s.id)).toEqual([first.id]);
    expect(await objects.stats()).toEqual(before);
    expect((await store.verify(first.id)).ok).toBe(true);
  });
});

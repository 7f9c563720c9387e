import { mkdir, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/shipsafe-cli.js";
import { createStatfsDiskProbe } from "./statfs-disk-probe.js";

describe("statfs disk probe (the real filesystem)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-disk-"));
    await mkdir(join(dir, "uploads", "a"), { recursive: true });
    await writeFile(join(dir, "uploads", "a", "one.bin"), Buffer.alloc(1000));
    await writeFile(join(dir, "uploads", "two.bin"), Buffer.alloc(24));
    await writeFile(join(dir, "app.db"), Buffer.alloc(4096));
    await writeFile(join(dir, "app.db-wal"), Buffer.alloc(100));
  });
  afterAll(() => cleanup());

  it("sizes file assets from their files and leaves databases it cannot see unmeasured", async () => {
    const probe = createStatfsDiskProbe({
      baseDir: dir,
      stateDir: join(dir, ".shipsafe"),
      assets: [
        { name: "db", paths: ["app.db", "app.db-wal"] },
        { name: "uploads", paths: ["uploads"] },
        { name: "later", paths: ["not-created-yet.db"] },
        { name: "main", paths: undefined },
      ],
    });
    expect(await probe.stateSizes()).toEqual([
      { name: "db", bytes: 4196 },
      { name: "uploads", bytes: 1024 },
      { name: "later", bytes: 0 },
      { name: "main", bytes: undefined },
    ]);
  });

  it("measures free space where snapshots go, even before the state dir exists", async () => {
    const probe = createStatfsDiskProbe({
      baseDir: dir,
      stateDir: join(dir, ".shipsafe"),
      assets: [],
    });
    const free = await probe.freeSpace();
    const stats = await statfs(dir);
    expect(free.path).toBe(join(dir, ".shipsafe"));
    // Other processes write to the same disk meanwhile: equal within 64 MiB.
    expect(Math.abs(free.availableBytes - stats.bavail * stats.bsize)).toBeLessThan(
      64 * 1024 * 1024,
    );
    expect(free.availableBytes).toBeGreaterThan(0);
    expect((await probe.freeSpace("uploads")).path).toBe(join(dir, "uploads"));
  });
});

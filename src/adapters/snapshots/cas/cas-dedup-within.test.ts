import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { meta, openCas } from "./cas-fixtures.test-support.js";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-cas-dedup-"));
});
afterEach(() => rm(work, { recursive: true, force: true }));

describe("deduplication within one snapshot", () => {
  it("stores a chunk that occurs in several files once, and each file restores whole", async () => {
    const app = join(work, "app");
    await mkdir(join(app, "config"), { recursive: true });
    const same = randomBytes(300 * 1024); // several content-defined chunks, stored once
    for (const name of ["a.bin", "b.bin", "c.bin"])
      await writeFile(join(app, "config", name), same);
    const asset = createFilesAsset({ name: "config", paths: [join(app, "config")], baseDir: app });

    const single = await openCas(join(work, "one"));
    await rm(join(app, "config", "b.bin"));
    await rm(join(app, "config", "c.bin"));
    await single.store.create(meta, [asset]);
    const once = await single.objects.stats();

    for (const name of ["b.bin", "c.bin"]) await writeFile(join(app, "config", name), same);
    const triple = await openCas(join(work, "three"));
    const snapshot = await triple.store.create(meta, [asset]);
    const thrice = await triple.objects.stats();
    expect(thrice.blobs).toBe(once.blobs);
    expect(thrice.bytes).toBeLessThan(once.bytes * 1.1);
    expect((await triple.store.verify(snapshot.id)).ok).toBe(true);
    await triple.store.materialize(snapshot.id, join(work, "out"));
    const { readFile } = await import("node:fs/promises");
    for (const name of ["a.bin", "b.bin", "c.bin"]) {
      expect((await readFile(join(work, "out", "config", "config", name))).equals(same)).toBe(true);
    }
  });
});

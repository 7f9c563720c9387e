import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashFile, withFileDigests } from "./durable-copy.js";
import { createFilesAsset } from "./files-asset.js";

let work: string;
let base: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-files-asset-"));
  base = join(work, "project");
  await mkdir(join(base, "config/nested/deeper"), { recursive: true });
  await writeFile(join(base, "config/app.yaml"), "port: 8080\n");
  await writeFile(join(base, "config/nested/deeper/key.pem"), "secret key\n");
  await chmod(join(base, "config/nested/deeper/key.pem"), 0o600);
  await writeFile(join(base, "config/nested/run.sh"), "#!/bin/sh\n");
  await chmod(join(base, "config/nested/run.sh"), 0o750);
  await chmod(join(base, "config/nested"), 0o750);
  await writeFile(join(base, ".env"), "A=1\n");
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o7777;

describe("files state asset", () => {
  it("round-trips nested directories, contents and modes", async () => {
    const asset = createFilesAsset({
      name: "config",
      paths: [join(base, "config"), join(base, ".env")],
      baseDir: base,
    });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    expect(manifest.files.map((file) => file.path)).toEqual([
      ".env",
      "config/app.yaml",
      "config/nested/deeper/key.pem",
      "config/nested/run.sh",
    ]);
    expect(manifest.details).toMatchObject({
      files: 4,
      modes: { "config/nested/deeper/key.pem": "0600", "config/nested/run.sh": "0750" },
      dirs: { config: expect.any(String), "config/nested": "0750" },
    });
    expect(await asset.inspect()).toEqual({ files: 4, bytes: manifest.size });

    await writeFile(join(base, "config/app.yaml"), "port: 9090\n");
    await rm(join(base, "config/nested"), { recursive: true });
    await chmod(join(base, ".env"), 0o644);
    await asset.restore(dir, manifest);

    for (const file of manifest.files) {
      expect(await hashFile(join(base, file.path))).toEqual({
        size: file.size,
        sha256: file.sha256,
      });
    }
    expect(await mode(join(base, "config/nested/run.sh"))).toBe(0o750);
    expect(await mode(join(base, "config/nested/deeper/key.pem"))).toBe(0o600);
    expect(await mode(join(base, "config/nested"))).toBe(0o750);
    expect(await readFile(join(base, "config/app.yaml"), "utf8")).toBe("port: 8080\n");
  });

  it("restores into a sandbox, re-hashing every file, without touching the live files", async () => {
    const asset = createFilesAsset({
      name: "config",
      paths: [join(base, "config")],
      baseDir: base,
    });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    const before = await hashFile(join(base, "config/app.yaml"));

    const report = await asset.restoreInto(dir, manifest, join(work, "sandbox"));
    expect(report).toEqual({
      ok: true,
      checks: [
        { name: "files", ok: true, detail: "3 of 3 files match the manifest (sha256 and size)" },
      ],
    });
    expect(await readFile(join(work, "sandbox/config/nested/deeper/key.pem"), "utf8")).toBe(
      "secret key\n",
    );
    expect(await mode(join(work, "sandbox/config/nested/run.sh"))).toBe(0o750);
    expect(await hashFile(join(base, "config/app.yaml"))).toEqual(before);

    await writeFile(join(dir, "config/app.yaml"), "port: 1\n");
    const bad = await asset.restoreInto(dir, manifest, join(work, "sandbox2"));
    expect(bad.ok).toBe(false);
    expect(bad.checks.map((check) => [check.name, check.ok])).toEqual([
      ["files", false],
      ["file config/app.yaml", false],
    ]);
  });

  it("refuses symlinks instead of following them", async () => {
    await symlink("/etc", join(base, "config/etc"));
    const asset = createFilesAsset({
      name: "config",
      paths: [join(base, "config")],
      baseDir: base,
    });
    const dir = join(work, "snap");
    await mkdir(dir);
    await expect(asset.capture(dir)).rejects.toMatchObject({
      code: "ASSET_UNSUPPORTED_FILE",
      message: expect.stringContaining(join(base, "config/etc")),
    });
  });

  it("refuses paths outside the base directory and manifest paths that escape it", async () => {
    expect(() =>
      createFilesAsset({ name: "x", paths: [join(work, "elsewhere")], baseDir: base }),
    ).toThrow(expect.objectContaining({ code: "ASSET_PATH_OUTSIDE_BASE" }));

    const asset = createFilesAsset({ name: "config", paths: [join(base, ".env")], baseDir: base });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    const file = manifest.files[0] as { path: string; size: number; sha256: string };
    const escaping = { ...manifest, files: [{ ...file, path: "../outside" }] };
    await expect(asset.restore(dir, escaping)).rejects.toMatchObject({
      code: "SNAPSHOT_PATH_INVALID",
    });
  });

  it("names a missing path on capture and counts it as missing on inspect", async () => {
    const asset = createFilesAsset({ name: "c", paths: [join(base, "nope")], baseDir: base });
    const dir = join(work, "snap");
    await mkdir(dir);
    await expect(asset.capture(dir)).rejects.toMatchObject({ code: "ASSET_NOT_FOUND" });
    expect(await asset.inspect()).toEqual({ files: 0, bytes: 0, missing: [join(base, "nope")] });
  });
});

describe("files state asset read in place (open)", () => {
  const asset = () =>
    createFilesAsset({
      name: "config",
      paths: [join(base, "config"), join(base, ".env")],
      baseDir: base,
    });
  const readAll = async (source: {
    read(into: Uint8Array, offset: number, length: number): Promise<number>;
    close(): Promise<void>;
  }) => {
    const into = new Uint8Array(1024);
    const n = await source.read(into, 0, into.length);
    await source.close();
    return Buffer.from(into.subarray(0, n)).toString();
  };

  it("describes the same files, sizes and modes as a capture, and reads them where they are", async () => {
    const dir = join(work, "snap");
    await mkdir(dir);
    const captured = await asset().capture(dir);
    const opened = await asset().open?.();
    if (!opened) throw new Error("files assets open in place");
    expect(opened.manifest).toEqual(captured);
    expect(await readAll(await opened.openFile("config/nested/run.sh"))).toBe("#!/bin/sh\n");
    await opened.release();
  });

  it("fails the read of a file written after it was listed, naming it", async () => {
    const opened = await asset().open?.();
    if (!opened) throw new Error("files assets open in place");
    await writeFile(join(base, "config/app.yaml"), "port: 9090\n"); // same size, new content
    const source = await opened.openFile("config/app.yaml");
    await expect(readAll(source)).rejects.toMatchObject({
      code: "SNAPSHOT_SOURCE_CHANGED",
      message: expect.stringContaining("config/app.yaml"),
    });
    await opened.release();
  });

  it("does not follow a symlink put in a listed file's place", async () => {
    const opened = await asset().open?.();
    if (!opened) throw new Error("files assets open in place");
    await writeFile(join(work, "outside"), "not part of the asset\n");
    await rm(join(base, "config/app.yaml"));
    await symlink(join(work, "outside"), join(base, "config/app.yaml"));
    await expect(opened.openFile("config/app.yaml")).rejects.toMatchObject({ code: "ELOOP" });
    await opened.release();
  });
});

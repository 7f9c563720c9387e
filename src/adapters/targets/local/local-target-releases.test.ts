import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../ports/progress.js";
import { createLocalTarget } from "./local-target.js";
import { rejection, removeDir, run, tempDir, writeTree } from "./local-target.test-support.js";

const SOURCE_FILES = {
  "server.js": "console.log('hello');\n",
  "lib/util.js": "export const x = 1;\n",
  "public/index.html": "<h1>shop</h1>\n",
};

let work: string;
let root: string;
let clock: number;
const now = () => new Date(Date.UTC(2024, 0, 1) + clock++ * 1000);

beforeEach(async () => {
  work = await tempDir();
  root = join(work, "deploy");
  clock = 0;
});
afterEach(async () => {
  await removeDir(work);
});

const target = () =>
  createLocalTarget({ root, start: ["node", "server.js"], stopGrace: 1000 }, { now });

async function sourceDir(
  name: string,
  files: Record<string, string> = SOURCE_FILES,
): Promise<string> {
  const dir = join(work, name);
  await writeTree(dir, files);
  return dir;
}

async function tarball(name: string, dir: string, extra: string[] = []): Promise<string> {
  const file = join(work, name);
  await run("tar", ["-czf", file, ...extra, "-C", dir, "."]);
  return file;
}

describe("local target: adding releases", () => {
  it("stores a directory as an immutable, checksummed release", async () => {
    const dir = await sourceDir("build");
    await writeTree(dir, {
      ".git/HEAD": "ref: refs/heads/main\n",
      "node_modules/.cache/big": "cache",
      "node_modules/pkg/index.js": "module.exports = 1;\n",
      "bin/run": "#!/bin/sh\necho run\n",
    });
    await chmod(join(dir, "bin/run"), 0o755);
    await symlink("../node_modules/pkg/index.js", join(dir, "lib/pkg.js"));

    const events: ProgressEvent[] = [];
    const info = await target().addRelease("1.0.0", dir, { report: (e) => events.push(e) });

    expect(info).toMatchObject({
      version: "1.0.0",
      path: join(root, "releases", "1.0.0"),
      addedAt: "2024-01-01T00:00:00.000Z",
      files: 6,
    });
    expect(info.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(info.bytes).toBe(
      [...Object.values(SOURCE_FILES), "module.exports = 1;\n", "#!/bin/sh\necho run\n"].join("")
        .length,
    );
    expect(info.gitCommit).toBeUndefined();
    expect(events.map((e) => e.type === "step-finished" && e.step)).toContain("checksum");

    const release = info.path;
    expect(await readdir(join(root, "releases"))).toEqual(["1.0.0"]); // no staging leftovers
    await expect(stat(join(release, ".git"))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(release, "node_modules/.cache"))).rejects.toThrow(/ENOENT/);
    expect(await readlink(join(release, "lib/pkg.js"))).toBe("../node_modules/pkg/index.js");
    // Read-only, execute bits kept.
    expect((await stat(join(release, "server.js"))).mode & 0o777).toBe(0o444);
    expect((await stat(join(release, "bin/run"))).mode & 0o777).toBe(0o555);

    const manifest = JSON.parse(await readFile(join(release, ".shipsafe-release.json"), "utf8"));
    expect(manifest).toMatchObject({ version: "1.0.0", checksum: info.checksum });
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual([
      "bin/run",
      "lib/pkg.js",
      "lib/util.js",
      "node_modules/pkg/index.js",
      "public/index.html",
      "server.js",
    ]);
    expect(await target().release("1.0.0")).toEqual(info);
    expect(await target().verifyRelease("1.0.0")).toEqual({
      version: "1.0.0",
      ok: true,
      problems: [],
    });
  });

  it("records the git commit of a checkout", async () => {
    const dir = await sourceDir("repo");
    const git = (...args: string[]) =>
      run("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args]);
    await git("init", "-q");
    await git("add", ".");
    await git("commit", "-q", "-m", "initial");
    const { stdout } = await git("rev-parse", "HEAD");
    const info = await target().addRelease("1.0.0", dir);
    expect(info.gitCommit).toBe(stdout.trim());
    expect(info.files).toBe(3);
  });

  it("stores a .tar.gz with the same checksum as the directory it was built from", async () => {
    const dir = await sourceDir("build");
    const archive = await tarball("build.tar.gz", dir);
    const fromDir = await target().addRelease("1.0.0", dir);
    const fromTar = await target().addRelease("1.0.0-tar", archive);
    expect(fromTar.checksum).toBe(fromDir.checksum);
    expect(await readFile(join(fromTar.path, "lib/util.js"), "utf8")).toBe(
      SOURCE_FILES["lib/util.js"],
    );
    expect((await stat(join(fromTar.path, "server.js"))).mode & 0o222).toBe(0);
  });

  it("does not copy the target root when it lives inside the source directory", async () => {
    const dir = await sourceDir("project");
    root = join(dir, "deploy");
    await target().addRelease("1.0.0", dir);
    const second = await target().addRelease("1.0.1", dir);
    expect(second.files).toBe(3);
  });

  it("re-adding identical content is a no-op; different content is RELEASE_EXISTS", async () => {
    const dir = await sourceDir("build");
    const first = await target().addRelease("1.0.0", dir);
    const again = await target().addRelease("1.0.0", await tarball("same.tgz", dir));
    expect(again).toEqual(first);

    await chmod(join(dir, "server.js"), 0o644);
    await writeFile(join(dir, "server.js"), "changed\n");
    const error = await rejection(target().addRelease("1.0.0", dir));
    expect(error).toMatchObject({ code: "RELEASE_EXISTS", kind: "refused" });
    expect(error.message).toContain("1.0.0");
    expect(error.hint).toMatch(/new version/);
    expect(await readFile(join(first.path, "server.js"), "utf8")).toBe(SOURCE_FILES["server.js"]);
    expect(await readdir(join(root, "releases"))).toEqual(["1.0.0"]);
  });

  it("verifyRelease reports modified, missing, extra and writable files", async () => {
    const info = await target().addRelease("1.0.0", await sourceDir("build"));
    await chmod(join(info.path, "server.js"), 0o644);
    await writeFile(join(info.path, "server.js"), "tampered\n");
    await chmod(join(info.path, "public/index.html"), 0o644);
    await removeDir(join(info.path, "lib"));
    await writeFile(join(info.path, "extra.js"), "x");
    const check = await target().verifyRelease("1.0.0");
    expect(check.ok).toBe(false);
    expect([...check.problems].sort()).toEqual([
      "extra: extra.js",
      "missing: lib/util.js",
      "modified: server.js",
      "writable: public/index.html",
    ]);
  });

  it("lists releases oldest first", async () => {
    const dir = await sourceDir("build");
    await target().addRelease("2.0.0", dir);
    await writeFile(join(dir, "new.js"), "1");
    await target().addRelease("10.0.0", dir);
    await target().addRelease("1.5.0", await sourceDir("other", { "a.txt": "a" }));
    expect((await target().releases()).map((r) => r.version)).toEqual(["2.0.0", "10.0.0", "1.5.0"]);
    expect(await target().release("9.9.9")).toBeUndefined();
    expect(await target().release("../etc")).toBeUndefined();
  });

  it("refuses bad versions and missing or unsupported sources", async () => {
    const dir = await sourceDir("build");
    for (const bad of ["-rf", ".hidden", "../x", "a/b", "", "v 1"]) {
      expect(await rejection(target().addRelease(bad, dir))).toMatchObject({
        code: "RELEASE_VERSION_INVALID",
        kind: "usage",
      });
    }
    expect(await rejection(target().addRelease("1.0.0", join(work, "nope")))).toMatchObject({
      code: "RELEASE_SOURCE_NOT_FOUND",
      kind: "usage",
    });
    expect(await rejection(target().addRelease("1.0.0", join(dir, "server.js")))).toMatchObject({
      code: "RELEASE_SOURCE_UNSUPPORTED",
    });
    await writeFile(join(work, "broken.tgz"), "not gzip");
    expect(await rejection(target().addRelease("1.0.0", join(work, "broken.tgz")))).toMatchObject({
      code: "RELEASE_SOURCE_UNREADABLE",
    });
    expect(await target().releases()).toEqual([]);
  });

  it("refuses a directory whose symlinks leave it", async () => {
    const dir = await sourceDir("build");
    await symlink("/etc", join(dir, "etc"));
    await symlink("../../outside", join(dir, "lib/up"));
    const error = await rejection(target().addRelease("1.0.0", dir));
    expect(error).toMatchObject({ code: "RELEASE_SOURCE_UNSAFE", kind: "refused" });
    expect(error.message).toContain("symlink etc -> /etc points outside the release");
    expect(error.message).toContain("symlink lib/up -> ../../outside");
    expect(await readdir(join(root, "releases"))).toEqual([]);
  });
});

describe("local target: hostile tarballs", () => {
  async function expectRefused(archive: string, fragment: string): Promise<void> {
    const error = await rejection(target().addRelease("1.0.0", archive));
    expect(error).toMatchObject({ code: "RELEASE_SOURCE_UNSAFE", kind: "refused" });
    expect(error.message).toContain(fragment);
    expect(await readdir(join(root, "releases"))).toEqual([]); // nothing visible, nothing staged
    expect(await target().releases()).toEqual([]);
  }

  it("refuses members escaping with ..", async () => {
    const base = join(work, "base");
    await writeTree(base, { "evil.txt": "evil", "inner/ok.txt": "ok" });
    const archive = join(work, "dotdot.tar.gz");
    await run("tar", ["-P", "-czf", archive, "-C", join(base, "inner"), "ok.txt", "../evil.txt"]);
    await expectRefused(archive, 'member ../evil.txt contains ".."');
    await expect(lstat(join(root, "evil.txt"))).rejects.toThrow(/ENOENT/);
  });

  it("refuses absolute member paths", async () => {
    const file = join(work, "abs.txt");
    await writeFile(file, "abs");
    const archive = join(work, "abs.tgz");
    await run("tar", ["-P", "-czf", archive, file]);
    await expectRefused(archive, `member ${file} is an absolute path`);
  });

  it("refuses symlinks pointing outside, absolute or relative", async () => {
    const dir = await sourceDir("build");
    await symlink("/etc", join(dir, "etc"));
    await expectRefused(
      await tarball("abs-link.tgz", dir),
      "symlink ./etc -> /etc points outside the archive",
    );

    const dir2 = await sourceDir("build2");
    await symlink("../../../x", join(dir2, "lib/up"));
    await expectRefused(
      await tarball("rel-link.tgz", dir2),
      "symlink ./lib/up -> ../../../x points outside",
    );
  });

  it("refuses hard links to paths outside and special files", async () => {
    const base = join(work, "hl");
    await writeTree(base, { "in/a.txt": "a" });
    await mkdir(join(base, "in2"));
    await run("ln", [join(base, "in/a.txt"), join(base, "in2/b.txt")]);
    const archive = join(work, "hard.tgz");
    await run("tar", ["-P", "-czf", archive, "-C", join(base, "in2"), "../in/a.txt", "b.txt"]);
    await expectRefused(archive, "contains");

    const fifoDir = await sourceDir("fifo", { "a.txt": "a" });
    await run("mkfifo", [join(fifoDir, "pipe")]);
    await expectRefused(
      await tarball("fifo.tgz", fifoDir),
      "./pipe is a device, fifo or other special file",
    );
  });

  it("accepts symlinks that stay inside", async () => {
    const dir = await sourceDir("build");
    await symlink("util.js", join(dir, "lib/alias.js"));
    await symlink("../public", join(dir, "lib/pub"));
    const info = await target().addRelease("1.0.0", await tarball("ok.tgz", dir));
    expect(await readlink(join(info.path, "lib/alias.js"))).toBe("util.js");
    expect((await target().verifyRelease("1.0.0")).ok).toBe(true);
  });
});

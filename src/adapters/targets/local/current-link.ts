import { randomBytes } from "node:crypto";
import { readlink, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { isReleaseVersion } from "./release-version.js";
import { targetErrors } from "./target-errors.js";

/** The version `<root>/current` points at; undefined when there is no link yet. */
export async function readCurrent(root: string): Promise<string | undefined> {
  const link = join(root, "current");
  let target: string;
  try {
    target = await readlink(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EINVAL") throw targetErrors.currentInvalid(link, "is not a symlink");
    throw error;
  }
  const resolved = resolve(root, target);
  const version = basename(resolved);
  if (dirname(resolved) !== join(root, "releases") || !isReleaseVersion(version)) {
    throw targetErrors.currentInvalid(link, `points at ${target}, not at releases/<version>`);
  }
  return version;
}

/**
 * Points `<root>/current` at `releases/<version>` by renaming a fresh relative symlink over it:
 * rename(2) replaces the old link atomically, so readers always see the old or the new release.
 */
export async function switchCurrent(root: string, version: string): Promise<void> {
  const staged = join(root, `.current-${randomBytes(8).toString("hex")}`);
  await symlink(join("releases", version), staged);
  try {
    await rename(staged, join(root, "current"));
  } catch (error) {
    await rm(staged, { force: true });
    if ((error as NodeJS.ErrnoException).code === "EISDIR") {
      throw targetErrors.currentInvalid(join(root, "current"), "is a directory, not a symlink");
    }
    throw error;
  }
}

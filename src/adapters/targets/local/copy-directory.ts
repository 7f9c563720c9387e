import { chmod, copyFile, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";

/** Copies that are never part of a release: VCS data and build caches. */
function skipped(name: string, parentName: string): boolean {
  return name === ".git" || (name === ".cache" && parentName === "node_modules");
}

/**
 * Copies the tree at `source` into the existing directory `dest`: files with their permission bits
 * (never setuid/setgid), symlinks as they are (the caller checks where they point), skipping `.git`
 * and `node_modules/.cache`, and any directory in `exclude` (absolute, real paths — e.g. the
 * target root when it lives inside the build directory). Returns the special files it refused.
 */
export async function copyDirectory(
  source: string,
  dest: string,
  exclude: readonly string[],
): Promise<string[]> {
  const refused: string[] = [];
  const walk = async (from: string, to: string, prefix: string, parentName: string) => {
    for (const name of (await readdir(from)).sort()) {
      if (skipped(name, parentName)) continue;
      const src = join(from, name);
      const dst = join(to, name);
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const stat = await lstat(src);
      if (stat.isDirectory()) {
        if (exclude.includes(src)) continue;
        await mkdir(dst, { mode: 0o755 });
        await walk(src, dst, path, name);
        await chmod(dst, (stat.mode & 0o777) | 0o700);
      } else if (stat.isSymbolicLink()) {
        await symlink(await readlink(src), dst);
      } else if (stat.isFile()) {
        await copyFile(src, dst);
        await chmod(dst, stat.mode & 0o777);
      } else {
        refused.push(`${path} is a device, fifo or socket`);
      }
    }
  };
  await walk(source, dest, "", "");
  return refused;
}

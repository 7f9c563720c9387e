import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SmallDisk {
  readonly dir: string;
  /** False when this sandbox forbids mount (outside CI only: under CI=true that throws). */
  readonly mounted: boolean;
  remove(): Promise<void>;
}

/** A real, small file system (tmpfs) to fill up; needs root. */
export async function mountSmallDisk(sizeMib: number, prefix: string): Promise<SmallDisk> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  let mounted = false;
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMib}m`, "tmpfs", dir], {
      stdio: "pipe",
    });
    mounted = true;
  } catch (error) {
    if (process.env.CI === "true") throw error;
  }
  return {
    dir,
    mounted,
    async remove() {
      if (mounted) execFileSync("umount", [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

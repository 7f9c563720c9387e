import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "../..");

/**
 * The file URL of a module of the built project, for child processes that must run real code
 * (test/global-setup.ts builds `dist/` before any test file runs). Throws if it is missing or older
 * than its source, i.e. the global setup did not run.
 */
export async function builtModule(srcPath: string): Promise<string> {
  const built = join(root, "dist", srcPath.replace(/\.ts$/, ".js"));
  const [src, out] = await Promise.all([
    stat(join(root, "src", srcPath)),
    stat(built).catch(() => undefined),
  ]);
  if (out === undefined || out.mtimeMs < src.mtimeMs) {
    throw new Error(`${built} is missing or stale: run through vitest (test/global-setup.ts)`);
  }
  return pathToFileURL(built).href;
}

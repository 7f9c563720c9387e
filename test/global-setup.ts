import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

/** End-to-end tests drive the built CLI, so build it once before any test file runs. */
export default function setup(): void {
  const root = resolve(import.meta.dirname, "..");
  execFileSync(
    process.execPath,
    [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}

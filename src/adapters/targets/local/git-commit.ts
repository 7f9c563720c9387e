import { runCommand } from "./run-command.js";

/** The HEAD commit when `dir` is inside a git checkout; undefined otherwise or when git is missing. */
export async function gitCommitOf(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await runCommand(["git", "-C", dir, "rev-parse", "--verify", "HEAD"], {
      cwd: dir,
      env: process.env,
      timeoutMs: 10_000,
    });
    const commit = stdout.trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) ? commit : undefined;
  } catch {
    return undefined; // not a checkout, no commits yet, or no git: the release simply has no commit
  }
}

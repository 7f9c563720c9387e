import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROKEN_FILE_GATE_CONFIG } from "../helpers/broken-file-gate.js";
import { git as gitIn } from "../helpers/git.js";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const CONFIG = BROKEN_FILE_GATE_CONFIG;

describe("shipsafe lkg --from-git (built CLI, a real git repository with tags)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const commits: Record<string, string> = {};
  const run = (args: string[]): Promise<CliRun> => shipsafe(args, { cwd: dir });
  const git = (...args: string[]): string => gitIn(dir, ...args);
  const release = async (tag: string, passes: boolean): Promise<void> => {
    await writeFile(join(dir, "VERSION"), `${tag}\n`);
    if (!passes) await writeFile(join(dir, "BROKEN"), "yes\n");
    git("add", "-A", "--", "VERSION", "shipsafe.yaml", ...(passes ? [] : ["BROKEN"]));
    git("commit", "-q", "-m", tag);
    git("tag", tag);
    commits[tag] = git("rev-parse", "HEAD");
    const gated = await run(["gate", "release"]);
    expect(gated.code, gated.stderr + gated.stdout).toBe(passes ? 0 : 1);
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-lkg-"));
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    await writeFile(join(dir, ".gitignore"), ".shipsafe/\n");
    git("init", "-q");
    git("add", ".gitignore");
    git("commit", "-q", "-m", "init");
    await release("v1.0.0", true);
    await release("rc-1.1.0", true);
    await release("v1.2.0", false);
  }, 60_000);
  afterAll(() => cleanup());

  it("returns rc-1.1.0: v1.2.0 is newer but its commit has no passing release gate run", async () => {
    const r = await run(["--json", "lkg", "--from-git"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.lkg).toMatchObject({ tag: "rc-1.1.0", commit: commits["rc-1.1.0"], good: true });
    expect(doc.candidates.map((c: { tag: string; good: boolean }) => [c.tag, c.good])).toEqual([
      ["v1.2.0", false],
      ["rc-1.1.0", true],
      ["v1.0.0", true],
    ]);
    expect(doc.patterns).toEqual(["rc-*", "ga-*", "v*.*.*"]);

    const human = await run(["lkg", "--from-git"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^last known good tag in production: rc-1\.1\.0 \(commit [0-9a-f]{12}/,
    );
    expect(human.stdout).toContain("no passing release gate run recorded commit");
  });

  it("follows the configured patterns and --repo", async () => {
    await writeFile(join(dir, "shipsafe.yaml"), `${CONFIG}    lkg:\n      tagPatterns: ["v*"]\n`);
    const r = await run(["--json", "lkg", "--from-git", "--repo", "."]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).lkg.tag).toBe("v1.0.0");
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
  });

  it("exits 1 with the reason when no tag qualifies, and 2 for a directory that is not a repository", async () => {
    await writeFile(join(dir, "shipsafe.yaml"), `${CONFIG}    lkg:\n      tagPatterns: ["ga-*"]\n`);
    const none = await run(["lkg", "--from-git"]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("no tag of");
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);

    const { dir: plain, cleanup: done } = await tempDir("shipsafe-plain-");
    try {
      const bad = await run(["lkg", "--from-git", "--repo", plain]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(
        /error\[GIT_REPO_UNAVAILABLE\]: cannot list the tags of .*not a git repository/i,
      );
      expect(bad.stderr).toMatch(/hint: pass the repository's directory with --repo/);
    } finally {
      await done();
    }
  });

  it("without --from-git: no release was deployed, so there is no last known good (exit 1)", async () => {
    const r = await run(["lkg"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("no last known good release in production");
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../../../test/helpers/git.js";
import { tempDir } from "../../../../test/helpers/shipsafe-cli.js";
import { evaluateGit } from "../../../domain/gate/evaluate-git.js";
import { execFileRunner } from "../process/run-process.js";
import { createGitInspector } from "./git-inspector.js";

const limits = { timeoutMs: 10_000 };

describe("git inspector (real repositories made with git init)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-git-"));
    await mkdir(join(dir, "repo"));
    await mkdir(join(dir, "plain"));
    await mkdir(join(dir, "empty"));
    git(join(dir, "empty"), "init", "-q");
    const repo = join(dir, "repo");
    git(repo, "init", "-q");
    await writeFile(join(repo, "app.js"), "console.log(1)\n");
    git(repo, "add", "app.js");
    git(repo, "commit", "-q", "-m", "first");
  });
  afterAll(() => cleanup());
  const inspector = () => createGitInspector({ run: execFileRunner, baseDir: dir });

  it("reports HEAD, a clean tree and the tags at HEAD", async () => {
    const repo = join(dir, "repo");
    git(repo, "tag", "v1.0.0");
    git(repo, "tag", "-a", "rc-1", "-m", "rc");
    const facts = await inspector().inspect("repo", limits);
    expect(facts).toEqual({
      kind: "repo",
      head: git(repo, "rev-parse", "HEAD"),
      dirty: [],
      tags: ["rc-1", "v1.0.0"],
    });
    expect(
      evaluateGit({ dir: "repo", clean: true, tagged: true, tagPattern: "v*" }, facts).status,
    ).toBe("pass");
  });

  it("lists modified and untracked files, and sees a new untagged commit", async () => {
    const repo = join(dir, "repo");
    await writeFile(join(repo, "app.js"), "console.log(2)\n");
    await writeFile(join(repo, "notes.txt"), "todo\n");
    const dirty = await inspector().inspect("repo", limits);
    expect(dirty.kind === "repo" && [...dirty.dirty].sort()).toEqual(["app.js", "notes.txt"]);
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "second");
    const untagged = await inspector().inspect("repo", limits);
    expect(untagged).toMatchObject({ kind: "repo", dirty: [], tags: [] });
    const outcome = evaluateGit({ dir: "repo", clean: true, tagged: true }, untagged);
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toMatch(/^repo: HEAD [0-9a-f]{12} has no tag$/);
  });

  it("tells a directory outside any repository and a repository without commits", async () => {
    // The temp dir is outside the shipsafe checkout, so git finds no repository above it.
    expect(await inspector().inspect("plain", limits)).toEqual({ kind: "not-a-repo" });
    expect(await inspector().inspect("empty", limits)).toEqual({
      kind: "repo",
      head: undefined,
      dirty: [],
      tags: [],
    });
  });

  it("reports git itself missing as unavailable", async () => {
    const noGit = createGitInspector({
      baseDir: dir,
      run: (argv, options) => execFileRunner(["shipsafe-no-git", ...argv.slice(1)], options),
    });
    expect(await noGit.inspect("repo", limits)).toEqual({
      kind: "unavailable",
      error: "git: program not found (is it installed and on PATH?)",
    });
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../../../test/helpers/git.js";
import { tempDir } from "../../../test/helpers/shipsafe-cli.js";
import { execFileRunner } from "../checks/process/run-process.js";
import { createGitTagSource, parseTags } from "./git-tag-source.js";

describe("git tag source (a real repository made with git init)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const commits: string[] = [];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-tags-"));
    await mkdir(join(dir, "repo"));
    await mkdir(join(dir, "plain"));
    const repo = join(dir, "repo");
    git(repo, "init", "-q");
    for (const n of [1, 2]) {
      await writeFile(join(repo, "app.js"), `console.log(${n})\n`);
      git(repo, "add", "app.js");
      git(repo, "commit", "-q", "-m", `commit ${n}`);
      commits.push(git(repo, "rev-parse", "HEAD"));
    }
    git(repo, "tag", "v1.0.0", commits[0] as string);
    git(repo, "tag", "-a", "-m", "annotated", "rc-1.1.0", commits[1] as string);
    const blob = git(repo, "hash-object", "-w", "app.js");
    git(repo, "tag", "blob-tag", blob);
  });
  afterAll(() => cleanup());

  it("lists lightweight and annotated tags with their commits, leaving out non-commits", async () => {
    const tags = await createGitTagSource({ run: execFileRunner }).tags(join(dir, "repo"));
    expect(tags.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "rc-1.1.0", commit: commits[1] },
      { name: "v1.0.0", commit: commits[0] },
    ]);
  });

  it("says what is wrong for a directory that is not a repository", async () => {
    await expect(
      createGitTagSource({ run: execFileRunner }).tags(join(dir, "plain")),
    ).rejects.toMatchObject({ code: "GIT_REPO_UNAVAILABLE", message: /not a git repository/i });
  });

  it("parses the for-each-ref lines strictly", () => {
    const c = "a".repeat(40);
    expect(
      parseTags(`refs/tags/x\0commit\0${c}\0\0\nrefs/tags/y\0tag\0${"b".repeat(40)}\0tree\0${c}\n`),
    ).toEqual([{ name: "x", commit: c }]);
  });
});

import { describe, expect, it } from "vitest";
import { evaluateGit, globToRegExp } from "./evaluate-git.js";

const HEAD = "0123456789abcdef0123456789abcdef01234567";
const expectation = { dir: ".", clean: true, tagged: true };

describe("evaluateGit", () => {
  it("passes a clean, tagged HEAD", () => {
    expect(
      evaluateGit(expectation, { kind: "repo", head: HEAD, dirty: [], tags: ["v1.2.0"] }),
    ).toEqual({
      status: "pass",
      diagnostics: ["HEAD 0123456789ab, tagged v1.2.0, working tree clean"],
      details: { head: HEAD, tags: ["v1.2.0"], dirty: 0 },
    });
  });

  it("lists uncommitted changes and a missing tag together", () => {
    const outcome = evaluateGit(
      { ...expectation, tagPattern: "v*" },
      { kind: "repo", head: HEAD, dirty: ["src/a.ts", "notes.txt"], tags: ["rc-1"] },
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics).toEqual([
      ".: the working tree has 2 uncommitted change(s): src/a.ts, notes.txt",
      expect.stringMatching(/commit or remove/),
      ".: HEAD 0123456789ab has no tag matching v* (it has rc-1)",
      "tag it: git tag v<version> 0123456789ab",
    ]);
  });

  it("can require only one of the two", () => {
    const dirty = { kind: "repo" as const, head: HEAD, dirty: ["x"], tags: [] };
    expect(evaluateGit({ ...expectation, clean: false, tagged: false }, dirty).status).toBe("pass");
  });

  it("tells a missing repository, an empty one and a missing git apart", () => {
    expect(evaluateGit(expectation, { kind: "not-a-repo" }).diagnostics[0]).toBe(
      ". is not inside a git repository",
    );
    expect(
      evaluateGit(expectation, { kind: "repo", head: undefined, dirty: [], tags: [] })
        .diagnostics[0],
    ).toMatch(/no commits yet/);
    expect(evaluateGit(expectation, { kind: "unavailable", error: "git: not found" }).status).toBe(
      "error",
    );
  });

  it("matches tag globs literally apart from * and ?", () => {
    expect(globToRegExp("v*.*.*").test("v1.2.3")).toBe(true);
    expect(globToRegExp("v*.*.*").test("v1-2-3")).toBe(false);
    expect(globToRegExp("rc-?").test("rc-1")).toBe(true);
    expect(globToRegExp("a+b").test("a+b")).toBe(true);
  });
});

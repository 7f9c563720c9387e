import type { CheckOutcome } from "./check-outcome.js";

/** What git says about a directory. */
export type GitFacts =
  | {
      readonly kind: "repo";
      /** HEAD's commit; undefined before the first commit. */
      readonly head: string | undefined;
      /** Changed or untracked paths (`git status --porcelain`), empty when clean. */
      readonly dirty: readonly string[];
      /** Tags pointing at HEAD. */
      readonly tags: readonly string[];
    }
  | { readonly kind: "not-a-repo" }
  | { readonly kind: "unavailable"; readonly error: string };

export interface GitExpectation {
  readonly dir: string;
  readonly clean: boolean;
  readonly tagged: boolean;
  readonly tagPattern?: string | undefined;
}

/** A glob where `*` matches any text and `?` one character, as an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/** The source is releasable: a clean working tree and a tagged HEAD (each can be turned off). */
export function evaluateGit(expect: GitExpectation, facts: GitFacts): CheckOutcome {
  if (facts.kind === "unavailable") {
    return {
      status: "error",
      diagnostics: [`git could not inspect ${expect.dir}: ${facts.error}`],
    };
  }
  if (facts.kind === "not-a-repo") {
    return {
      status: "fail",
      diagnostics: [
        `${expect.dir} is not inside a git repository`,
        "point the check's dir at the checkout the release is built from",
      ],
    };
  }
  if (facts.head === undefined) {
    return {
      status: "fail",
      diagnostics: [
        `${expect.dir}: the repository has no commits yet`,
        "commit and tag the release",
      ],
    };
  }
  const short = facts.head.slice(0, 12);
  const pattern = expect.tagPattern === undefined ? undefined : globToRegExp(expect.tagPattern);
  const tags = pattern ? facts.tags.filter((tag) => pattern.test(tag)) : [...facts.tags];
  const problems: string[] = [];
  if (expect.clean && facts.dirty.length > 0) {
    const listed = facts.dirty.slice(0, 10).join(", ");
    const more = facts.dirty.length > 10 ? ` and ${facts.dirty.length - 10} more` : "";
    problems.push(
      `${expect.dir}: the working tree has ${facts.dirty.length} uncommitted change(s): ${listed}${more}`,
      "commit or remove them, so the release is exactly a commit",
    );
  }
  if (expect.tagged && tags.length === 0) {
    const matching = expect.tagPattern ? ` matching ${expect.tagPattern}` : "";
    const others = facts.tags.length > 0 ? ` (it has ${facts.tags.join(", ")})` : "";
    problems.push(
      `${expect.dir}: HEAD ${short} has no tag${matching}${others}`,
      `tag it: git tag ${expect.tagPattern?.replace(/[*?].*$/, "") || "v"}<version> ${short}`,
    );
  }
  const details = { head: facts.head, tags: [...facts.tags], dirty: facts.dirty.length };
  if (problems.length > 0) return { status: "fail", diagnostics: problems, details };
  const found = [
    `HEAD ${short}`,
    ...(expect.tagged ? [`tagged ${tags.join(", ")}`] : []),
    ...(expect.clean ? ["working tree clean"] : []),
  ];
  return { status: "pass", diagnostics: [found.join(", ")], details };
}

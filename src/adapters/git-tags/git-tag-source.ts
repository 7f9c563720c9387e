import { ShipsafeError } from "../../domain/errors.js";
import type { GitTag } from "../../domain/lkg/tag-selection.js";
import type { GitTagSource } from "../../ports/git-tags.js";
import type { ProcessRunner } from "../checks/process/run-process.js";

const FORMAT = "%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)";

/** Reads tags with `git for-each-ref` (argv, no shell; annotated tags peeled to their commit). */
export function createGitTagSource(options: {
  readonly run: ProcessRunner;
  readonly timeoutMs?: number;
}): GitTagSource {
  return {
    async tags(repoDir) {
      const result = await options.run(
        [
          "git",
          "--no-optional-locks",
          "-C",
          repoDir,
          "for-each-ref",
          `--format=${FORMAT}`,
          "refs/tags",
        ],
        {
          cwd: process.cwd(),
          timeoutMs: options.timeoutMs ?? 30_000,
          env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
        },
      );
      if (result.startError !== undefined) {
        throw new ShipsafeError({
          code: "GIT_NOT_FOUND",
          kind: "runtime",
          message: `cannot run git to list the tags of ${repoDir}: ${result.startError}`,
          hint: "install git and put it on PATH",
        });
      }
      if (result.timedOut) throw unavailable(repoDir, "git did not answer in 30s", "try again");
      if (result.exitCode !== 0) {
        const why = result.stderr.trim().split("\n")[0] || `git exited ${result.exitCode}`;
        throw unavailable(repoDir, why, "pass the repository's directory with --repo <dir>");
      }
      return parseTags(result.stdout);
    },
  } satisfies GitTagSource;
}

/** Parses the for-each-ref lines; tags that end at something other than a commit are left out. */
export function parseTags(stdout: string): GitTag[] {
  const tags: GitTag[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const [ref = "", type, object = "", peeledType, peeled = ""] = line.split("\0");
    const name = ref.replace(/^refs\/tags\//, "");
    const commit =
      type === "tag" ? (peeledType === "commit" ? peeled : "") : type === "commit" ? object : "";
    if (name !== "" && /^[0-9a-f]{40,64}$/.test(commit)) tags.push({ name, commit });
  }
  return tags;
}

function unavailable(repoDir: string, why: string, hint: string): ShipsafeError {
  return new ShipsafeError({
    code: "GIT_REPO_UNAVAILABLE",
    kind: "usage",
    message: `cannot list the tags of ${repoDir}: ${why}`,
    hint,
  });
}

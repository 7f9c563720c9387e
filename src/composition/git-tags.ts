import { execFileRunner } from "../adapters/checks/process/run-process.js";
import { createGitTagSource } from "../adapters/git-tags/git-tag-source.js";
import type { GitTagSource } from "../ports/git-tags.js";

/** The git tag source `lkg --from-git` reads: the git CLI, run with argv. */
export function openGitTagSource(): GitTagSource {
  return createGitTagSource({ run: execFileRunner });
}

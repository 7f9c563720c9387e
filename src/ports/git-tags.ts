import type { GitTag } from "../domain/lkg/tag-selection.js";

/** Lists a git repository's tags with the commits they point at. */
export interface GitTagSource {
  /** Every tag of the repository at `repoDir`; throws GIT_REPO_UNAVAILABLE when it cannot. */
  tags(repoDir: string): Promise<GitTag[]>;
}

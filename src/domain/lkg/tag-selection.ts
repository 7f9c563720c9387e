import { compareVersions, type VersionParts } from "../gate/semver.js";

/** Tags that name releases when the config says nothing (`lkg.tagPatterns`). */
export const DEFAULT_TAG_PATTERNS: readonly string[] = ["rc-*", "ga-*", "v*.*.*"];

/** A git tag and the commit it points at (annotated tags peeled). */
export interface GitTag {
  readonly name: string;
  readonly commit: string;
}

/** The version a tag names: numbers, then a pre-release label (`rc-1.1.0` → 1.1.0, pre-release rc). */
export interface TagVersion {
  readonly parts: VersionParts;
  /** Semver pre-release identifiers; `rc-` and `beta-`-style prefixes count as one. */
  readonly prerelease: readonly string[];
}

export interface TagCandidate {
  readonly tag: string;
  readonly commit: string;
  /** `1.1.0` or `1.1.0-rc`. */
  readonly version: string;
  readonly good: boolean;
  /** The passing release gate run that vouches for the commit, or null. */
  readonly gateRunId: string | null;
  readonly reason: string | null;
}

export interface TagSelection {
  readonly lkg: TagCandidate | null;
  /** Every tag matching a pattern and naming a version, newest version first. */
  readonly candidates: readonly TagCandidate[];
  /** Tags that match no pattern or name no version. */
  readonly ignored: readonly string[];
}

const PRERELEASE_PREFIX = /^(rc|alpha|beta|pre|preview|dev)$/i;

/** Glob match of a whole tag name: `*` any run of characters, `?` one; nothing else is special. */
export function tagMatches(name: string, pattern: string): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "s").test(name);
}

/** The version a tag names (an optional word prefix such as `rc-` or `v`, then semver); else undefined. */
export function tagVersion(name: string): TagVersion | undefined {
  const match =
    /^(?:([A-Za-z]+)[-_]?)?v?(\d+(?:\.\d+){0,2})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(
      name,
    );
  if (!match?.[2]) return undefined;
  const prefix = match[1];
  const prerelease: string[] = [];
  if (prefix !== undefined && PRERELEASE_PREFIX.test(prefix)) prerelease.push(prefix.toLowerCase());
  if (match[3]) prerelease.push(...match[3].split("."));
  return { parts: match[2].split(".").map(Number), prerelease };
}

/** Semver precedence: numbers first; a pre-release sorts below the release of the same numbers. */
export function compareTagVersions(a: TagVersion, b: TagVersion): number {
  const numbers = compareVersions(a.parts, b.parts);
  if (numbers !== 0) return numbers;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return b.prerelease.length - a.prerelease.length;
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function formatVersion(v: TagVersion): string {
  const numbers = v.parts.join(".");
  return v.prerelease.length > 0 ? `${numbers}-${v.prerelease.join(".")}` : numbers;
}

/**
 * The last known good tag: among tags matching one of `patterns` and naming a version, the one
 * with the highest version (semver; ties by name) whose commit has a passing release gate run.
 * `passingRuns` maps a commit to the id of a passing release gate run recorded for it.
 */
export function selectLastKnownGoodTag(
  tags: readonly GitTag[],
  passingRuns: ReadonlyMap<string, string>,
  patterns: readonly string[],
): TagSelection {
  const ignored: string[] = [];
  const versioned: Array<{ tag: GitTag; version: TagVersion }> = [];
  for (const tag of tags) {
    const version = patterns.some((p) => tagMatches(tag.name, p))
      ? tagVersion(tag.name)
      : undefined;
    if (version === undefined) ignored.push(tag.name);
    else versioned.push({ tag, version });
  }
  versioned.sort(
    (a, b) =>
      compareTagVersions(b.version, a.version) ||
      (a.tag.name < b.tag.name ? 1 : a.tag.name > b.tag.name ? -1 : 0),
  );
  const candidates = versioned.map(({ tag, version }): TagCandidate => {
    const gateRunId = passingRuns.get(tag.commit) ?? null;
    return {
      tag: tag.name,
      commit: tag.commit,
      version: formatVersion(version),
      good: gateRunId !== null,
      gateRunId,
      reason:
        gateRunId === null
          ? `no passing release gate run recorded commit ${tag.commit.slice(0, 12)}`
          : null,
    };
  });
  return { lkg: candidates.find((c) => c.good) ?? null, candidates, ignored: ignored.sort() };
}

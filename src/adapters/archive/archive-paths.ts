import type { ArchiveLimits, ArchiveRule } from "../../ports/snapshot-archive.js";

export type PathProblem = { rule: ArchiveRule; detail: string };

/**
 * Checks an entry name against the path rules: relative, `/`-separated, no `.`/`..`/empty segment,
 * no backslash, NUL or control character, within the depth and length limits. Directories may end
 * in one `/`. Returns the name without it, or the problem.
 */
export function checkEntryName(
  name: string,
  isDirectory: boolean,
  limits: ArchiveLimits,
): { name: string } | PathProblem {
  if (name.includes("\0")) return { rule: "nul-in-name", detail: "NUL byte in the name" };
  if (name.startsWith("/")) return { rule: "absolute-path", detail: "absolute path" };
  if (name.includes("\\")) return { rule: "backslash", detail: "backslash in the name" };
  const bare = isDirectory && name.endsWith("/") ? name.slice(0, -1) : name;
  const segments = bare.split("/");
  if (segments.includes("..")) return { rule: "path-traversal", detail: "`..` segment" };
  if (segments.some((s) => s === "" || s === ".")) {
    return { rule: "empty-segment", detail: "empty or `.` path segment" };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(bare)) {
    return { rule: "bad-name", detail: "control character in the name" };
  }
  if (/^[A-Za-z]:/.test(bare)) return { rule: "absolute-path", detail: "drive-letter path" };
  if (segments.length > limits.maxDepth) {
    return {
      rule: "too-deep",
      detail: `${segments.length} path segments (limit ${limits.maxDepth})`,
    };
  }
  if (Buffer.byteLength(bare, "utf8") > limits.maxPathBytes) {
    return { rule: "name-too-long", detail: `path longer than ${limits.maxPathBytes} bytes` };
  }
  const long = segments.find((s) => Buffer.byteLength(s, "utf8") > limits.maxSegmentBytes);
  if (long !== undefined) {
    return {
      rule: "name-too-long",
      detail: `a segment is longer than ${limits.maxSegmentBytes} bytes`,
    };
  }
  return { name: bare };
}

/** The key two names collide under on a case-insensitive or normalizing file system. */
export function foldName(name: string): string {
  return name.normalize("NFKC").toLowerCase().normalize("NFKC");
}

/**
 * Every name seen so far, exact and folded, with its kind: refuses duplicates, case-fold or
 * Unicode-normalization duplicates, and a file used as a directory (or the reverse).
 */
export class NameRegistry {
  private readonly byFolded = new Map<
    string,
    { exact: string; kind: "file" | "dir"; explicit: boolean }
  >();

  add(name: string, kind: "file" | "dir"): PathProblem | undefined {
    const segments = name.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      const problem = this.claim(parent, "dir", false);
      if (problem) return problem;
    }
    return this.claim(name, kind, true);
  }

  private claim(name: string, kind: "file" | "dir", explicit: boolean): PathProblem | undefined {
    const key = foldName(name);
    const seen = this.byFolded.get(key);
    if (seen === undefined) {
      this.byFolded.set(key, { exact: name, kind, explicit });
      return undefined;
    }
    if (seen.exact !== name) {
      return {
        rule: "case-fold-duplicate",
        detail: `collides with ${JSON.stringify(seen.exact)} once case and Unicode form are folded`,
      };
    }
    if (seen.kind !== kind) {
      return {
        rule: "path-conflict",
        detail: `${JSON.stringify(name)} is both a file and a directory`,
      };
    }
    if (explicit && (seen.explicit || kind === "file")) {
      return { rule: "duplicate-entry", detail: "the archive holds this name twice" };
    }
    if (explicit) seen.explicit = true;
    return undefined;
  }
}

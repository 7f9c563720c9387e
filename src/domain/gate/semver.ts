/** A version as numbers: `[20, 15, 1]` for 20.15.1 (missing parts are 0 when compared). */
export type VersionParts = readonly number[];

/** Parses `20`, `20.15` or `1.2.3` (the config's minVersion form); undefined otherwise. */
export function parseVersion(text: string): VersionParts | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  return match
    .slice(1)
    .filter((part): part is string => part !== undefined)
    .map(Number);
}

/**
 * The first version number in a tool's `--version` output: `v20.15.1`, `git version 2.39.5`,
 * `pg_dump (PostgreSQL) 16.2 (Debian 16.2-1)`, `curl 8.5.0 (x86_64-pc-linux-gnu) ...`,
 * `Client Version: v1.30.2`. Prefers a dotted number; a bare integer only when nothing better.
 */
export function versionInOutput(output: string): string | undefined {
  const dotted = /(?<![\w.])v?(\d+\.\d+(?:\.\d+)?)/.exec(output);
  if (dotted?.[1] !== undefined) return dotted[1];
  const bare = /(?<![\w.])v?(\d+)(?![\w.])/.exec(output);
  return bare?.[1];
}

/** Negative when a < b, 0 when equal, positive when a > b (missing parts count as 0). */
export function compareVersions(a: VersionParts, b: VersionParts): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** True when `found` is at least `minimum` (both in `parseVersion` form). */
export function satisfiesMinimum(found: string, minimum: string): boolean | undefined {
  const have = parseVersion(found);
  const need = parseVersion(minimum);
  if (have === undefined || need === undefined) return undefined;
  return compareVersions(have, need) >= 0;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareTagVersions,
  DEFAULT_TAG_PATTERNS,
  selectLastKnownGoodTag,
  tagMatches,
  tagVersion,
} from "./tag-selection.js";

const commit = (n: number): string => n.toString(16).padStart(40, "0");

describe("tag patterns", () => {
  it.each([
    ["rc-1.1.0", "rc-*", true],
    ["ga-2.0.0", "ga-*", true],
    ["v1.2.0", "v*.*.*", true],
    ["v1.2", "v*.*.*", false],
    ["release-1.0.0", "rc-*", false],
    ["v1.2.3", "v?.?.?", true],
    ["v1+2", "v1+2", true],
    ["v1x2", "v1.2", false],
  ])("%s against %s: %s", (name, pattern, matches) => {
    expect(tagMatches(name, pattern)).toBe(matches);
  });
});

describe("tag versions", () => {
  it.each([
    ["v1.2.0", [1, 2, 0], []],
    ["rc-1.1.0", [1, 1, 0], ["rc"]],
    ["ga-2.0.0", [2, 0, 0], []],
    ["v1.2.0-rc.1", [1, 2, 0], ["rc", "1"]],
    ["1.0", [1, 0], []],
    ["v2.0.0+build.7", [2, 0, 0], []],
  ])("%s names %j %j", (name, parts, prerelease) => {
    expect(tagVersion(name)).toEqual({ parts, prerelease });
  });

  it.each(["latest", "v1.x", "rc-", "1.2.3.4"])("%s names no version", (name) => {
    expect(tagVersion(name)).toBeUndefined();
  });

  it("orders by semver: numbers, then a pre-release below its release", () => {
    const sorted = ["v1.10.0", "rc-1.2.0", "v1.2.0", "v1.2.0-rc.2", "v1.2.0-rc.10", "v1.9.9"]
      .map((name) => ({ name, v: tagVersion(name) }))
      .sort((a, b) =>
        compareTagVersions(
          a.v ?? { parts: [], prerelease: [] },
          b.v ?? { parts: [], prerelease: [] },
        ),
      )
      .map((t) => t.name);
    expect(sorted).toEqual([
      "rc-1.2.0",
      "v1.2.0-rc.2",
      "v1.2.0-rc.10",
      "v1.2.0",
      "v1.9.9",
      "v1.10.0",
    ]);
  });

  it("is a total order on generated versions (antisymmetric, transitive)", () => {
    const version = fc.record({
      parts: fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 3 }),
      prerelease: fc.array(
        fc.oneof(fc.constantFrom("rc", "beta", "alpha"), fc.nat({ max: 9 }).map(String)),
        {
          maxLength: 2,
        },
      ),
    });
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(Math.sign(compareTagVersions(a, b))).toBe(-Math.sign(compareTagVersions(b, a)) || 0);
        if (compareTagVersions(a, b) <= 0 && compareTagVersions(b, c) <= 0) {
          expect(compareTagVersions(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });
});

describe("selectLastKnownGoodTag", () => {
  const tags = [
    { name: "v1.0.0", commit: commit(1) },
    { name: "rc-1.1.0", commit: commit(2) },
    { name: "v1.2.0", commit: commit(3) },
    { name: "latest", commit: commit(3) },
    { name: "nightly-2", commit: commit(3) },
  ];

  it("returns the highest version whose commit passed the release gate", () => {
    const passing = new Map([
      [commit(1), "gate-a"],
      [commit(2), "gate-b"],
    ]);
    const selection = selectLastKnownGoodTag(tags, passing, DEFAULT_TAG_PATTERNS);
    expect(selection.lkg).toMatchObject({
      tag: "rc-1.1.0",
      version: "1.1.0-rc",
      gateRunId: "gate-b",
    });
    expect(selection.candidates.map((c) => [c.tag, c.good])).toEqual([
      ["v1.2.0", false],
      ["rc-1.1.0", true],
      ["v1.0.0", true],
    ]);
    expect(selection.candidates[0]?.reason).toBe(
      `no passing release gate run recorded commit ${commit(3).slice(0, 12)}`,
    );
    expect(selection.ignored).toEqual(["latest", "nightly-2"]);
  });

  it("uses only the configured patterns", () => {
    const passing = new Map([
      [commit(1), "gate-a"],
      [commit(2), "gate-b"],
    ]);
    expect(selectLastKnownGoodTag(tags, passing, ["v*"]).lkg?.tag).toBe("v1.0.0");
    expect(selectLastKnownGoodTag(tags, passing, ["ga-*"]).lkg).toBeNull();
  });

  it("finds nothing when no commit passed", () => {
    const selection = selectLastKnownGoodTag(tags, new Map(), DEFAULT_TAG_PATTERNS);
    expect(selection.lkg).toBeNull();
    expect(selection.candidates).toHaveLength(3);
  });
});

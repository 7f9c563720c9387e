import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion, satisfiesMinimum, versionInOutput } from "./semver.js";

describe("tool versions", () => {
  it.each([
    ["v20.15.1\n", "20.15.1"],
    ["git version 2.39.5", "2.39.5"],
    ["pg_dump (PostgreSQL) 16.2 (Debian 16.2-1.pgdg120+1)", "16.2"],
    ["curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13", "8.5.0"],
    ["Client Version: v1.30.2\nKustomize Version: v5.0.4", "1.30.2"],
    ["Docker version 27.1.1, build 6312585", "27.1.1"],
    ["jq-1.7.1", "1.7.1"],
    ["tool 7", "7"],
  ])("finds the version in %j", (output, version) => {
    expect(versionInOutput(output)).toBe(version);
  });

  it("finds nothing in output without a number", () => {
    expect(versionInOutput("usage: tool [options]")).toBeUndefined();
  });

  it("compares numerically, missing parts as 0", () => {
    expect(satisfiesMinimum("20.15.1", "20.15")).toBe(true);
    expect(satisfiesMinimum("20.9.0", "20.15")).toBe(false);
    expect(satisfiesMinimum("16.2", "16")).toBe(true);
    expect(satisfiesMinimum("2.10.0", "2.9.9")).toBe(true);
    expect(satisfiesMinimum("1.0", "1.0.0")).toBe(true);
    expect(satisfiesMinimum("latest", "1")).toBeUndefined();
  });

  it("orders like tuples of numbers (property)", () => {
    const part = fc.nat({ max: 500 });
    fc.assert(
      fc.property(fc.tuple(part, part, part), fc.tuple(part, part, part), (a, b) => {
        const expected = a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
        const text = (v: number[]) => v.join(".");
        const got = compareVersions(
          parseVersion(text(a)) as number[],
          parseVersion(text(b)) as number[],
        );
        expect(Math.sign(got)).toBe(Math.sign(expected));
      }),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, isDuration, parseDuration } from "./duration.js";
import { ShipsafeError } from "./errors.js";

describe("parseDuration", () => {
  it("parses each unit", () => {
    expect(parseDuration("300ms")).toBe(300);
    expect(parseDuration("5s")).toBe(5_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    expect(parseDuration("1m30s")).toBe(90_000);
  });

  it("rejects anything else with a usage error", () => {
    for (const bad of ["", "5", "5 s", "1.5s", "-1s", "s", "5S", "5w"]) {
      expect(isDuration(bad)).toBe(false);
      expect(() => parseDuration(bad)).toThrow(ShipsafeError);
    }
    try {
      parseDuration("5x");
    } catch (error) {
      expect(error).toMatchObject({ code: "DURATION_INVALID", kind: "usage" });
    }
  });
});

describe("formatDuration", () => {
  it("uses the largest units", () => {
    expect(formatDuration(0)).toBe("0ms");
    expect(formatDuration(300)).toBe("300ms");
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(3_600_001)).toBe("1h1ms");
  });

  it("round-trips through parseDuration", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 24 * 3_600_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it("refuses negative or fractional input", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});

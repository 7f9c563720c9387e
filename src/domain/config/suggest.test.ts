import { describe, expect, it } from "vitest";
import { closest, editDistance } from "./suggest.js";

describe("suggestions", () => {
  it("computes edit distance", () => {
    expect(editDistance("helth", "health")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("suggests only plausible typos", () => {
    expect(closest("helth", ["health", "state", "target"])).toBe("health");
    expect(closest("zzzzzz", ["health", "state"])).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { parseJsonPath, valueAt } from "./json-path.js";

describe("JSON paths", () => {
  it("parses the forms people write", () => {
    expect(parseJsonPath("status")).toEqual(["status"]);
    expect(parseJsonPath("$.checks.db.ok")).toEqual(["checks", "db", "ok"]);
    expect(parseJsonPath("items[0].id")).toEqual(["items", 0, "id"]);
    expect(parseJsonPath('headers["x-id"]')).toEqual(["headers", "x-id"]);
    expect(parseJsonPath("$")).toEqual([]);
  });

  it("rejects what is not a path", () => {
    for (const bad of ["a..b", "a[x]", "[", "a b", "", "$.", "a.[0]"]) {
      expect(parseJsonPath(bad), bad).toBeUndefined();
    }
  });

  it("finds values, and says when a step is missing", () => {
    const doc = { status: "ok", checks: { db: { ok: false } }, items: [{ id: 7 }], nil: null };
    expect(valueAt(doc, ["checks", "db", "ok"])).toEqual({ found: true, value: false });
    expect(valueAt(doc, ["items", 0, "id"])).toEqual({ found: true, value: 7 });
    expect(valueAt(doc, ["nil"])).toEqual({ found: true, value: null });
    expect(valueAt(doc, ["items", 1])).toEqual({ found: false });
    expect(valueAt(doc, ["status", "x"])).toEqual({ found: false });
    expect(valueAt(doc, ["toString"])).toEqual({ found: false });
  });
});

import { describe, expect, it } from "vitest";
import { checkResult, excerpt, notRun, timedOut } from "./check-outcome.js";

const spec = { name: "lint", subsystem: "build", required: true };

describe("check results", () => {
  it("keeps a required check's failure", () => {
    const result = checkResult(spec, { status: "fail", diagnostics: ["3 errors"] }, 12.6);
    expect(result).toEqual({
      name: "lint",
      subsystem: "build",
      status: "fail",
      diagnostics: ["3 errors"],
      durationMs: 13,
    });
  });

  it("turns a non-required check's failure or error into a warning that says why", () => {
    for (const status of ["fail", "error"] as const) {
      const result = checkResult(
        { ...spec, required: false },
        { status, diagnostics: ["3 errors"], details: { errors: 3 } },
        5,
      );
      expect(result.status).toBe("warn");
      expect(result.diagnostics).toEqual(["3 errors", expect.stringMatching(/not required/)]);
      expect(result.details).toEqual({ errors: 3 });
    }
    expect(
      checkResult({ ...spec, required: false }, { status: "pass", diagnostics: ["ok"] }, 1).status,
    ).toBe("pass");
  });

  it("describes a timeout and a check left unrun", () => {
    expect(timedOut(90_000)).toMatchObject({
      status: "error",
      diagnostics: [expect.stringMatching(/timeout of 1m30s/), expect.any(String)],
    });
    expect(notRun(["build"])).toMatchObject({
      status: "inconclusive",
      diagnostics: [
        expect.stringMatching(/runs after build, which did not pass/),
        "fix build first",
      ],
    });
  });

  it("cuts long bodies to one line", () => {
    expect(excerpt("a\n  b\tc")).toBe("a b c");
    expect(excerpt("x".repeat(200), 10)).toBe(`${"x".repeat(10)}…`);
  });
});

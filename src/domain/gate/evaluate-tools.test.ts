import { describe, expect, it } from "vitest";
import { evaluateTools } from "./evaluate-tools.js";

describe("evaluateTools", () => {
  it("passes present tools at their minimum and records their versions", () => {
    const outcome = evaluateTools(
      [{ name: "node", minVersion: "20.15" }, { name: "git" }],
      [
        { found: true, exitCode: 0, output: "v20.20.2" },
        { found: true, exitCode: 0, output: "git version 2.39.5" },
      ],
    );
    expect(outcome).toEqual({
      status: "pass",
      diagnostics: ["node 20.20.2 (>= 20.15), git 2.39.5"],
      details: { tools: { node: "20.20.2", git: "2.39.5" } },
    });
  });

  it("fails naming each missing, old or unreadable tool", () => {
    const outcome = evaluateTools(
      [
        { name: "kubectl" },
        { name: "pg_dump", minVersion: "16" },
        { name: "helm", minVersion: "3" },
        { name: "curl" },
      ],
      [
        { found: false, error: "not found on PATH" },
        { found: true, exitCode: 0, output: "pg_dump (PostgreSQL) 14.9" },
        { found: true, exitCode: 1, output: "Error: unknown flag: --version" },
        { found: true, exitCode: 0, output: "curl 8.5.0" },
      ],
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics).toEqual([
      "kubectl: not found on PATH",
      "pg_dump 14.9 is older than the required 16",
      "helm: `helm --version` exited 1 and printed no version (Error: unknown flag: --version)",
      expect.stringMatching(/install or upgrade/),
    ]);
    expect(outcome.details).toEqual({
      tools: { kubectl: null, pg_dump: "14.9", helm: null, curl: "8.5.0" },
    });
  });

  it("accepts a present tool that prints no version when none is required", () => {
    const outcome = evaluateTools([{ name: "true" }], [{ found: true, exitCode: 0, output: "" }]);
    expect(outcome.status).toBe("pass");
  });
});

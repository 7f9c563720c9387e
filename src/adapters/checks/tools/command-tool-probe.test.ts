import { describe, expect, it } from "vitest";
import { evaluateTools } from "../../../domain/gate/evaluate-tools.js";
import { execFileRunner } from "../process/run-process.js";
import { createToolProbe } from "./command-tool-probe.js";

const probe = createToolProbe({ run: execFileRunner, cwd: process.cwd() });
const limits = { timeoutMs: 10_000 };

describe("tool probe (real programs)", () => {
  it("finds node and git with their versions", async () => {
    const node = await probe.version("node", ["--version"], limits);
    expect(node).toMatchObject({ found: true, exitCode: 0 });
    expect(node.found && node.output).toBe(process.version);
    const git = await probe.version("git", ["--version"], limits);
    expect(git.found && git.output).toMatch(/^git version \d+\.\d+/);

    const outcome = evaluateTools(
      [
        { name: "node", minVersion: "20.15" },
        { name: "git", minVersion: "2" },
      ],
      [node, git],
    );
    expect(outcome.status).toBe("pass");
    expect(outcome.details).toEqual({
      tools: { node: process.version.slice(1), git: expect.stringMatching(/^\d+\.\d+/) },
    });
  });

  it("says a missing program is not on PATH", async () => {
    expect(await probe.version("shipsafe-no-such-tool", ["--version"], limits)).toEqual({
      found: false,
      error: "not found on PATH",
    });
  });

  it("reports the exit code of a program that rejects the version flag", async () => {
    const answer = await probe.version(process.execPath, ["--no-such-flag"], limits);
    expect(answer).toMatchObject({ found: true, exitCode: 9 });
    expect(evaluateTools([{ name: process.execPath, minVersion: "1" }], [answer]).status).toBe(
      "fail",
    );
  });

  it("gives up on a program that does not answer in time", async () => {
    const answer = await probe.version(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], {
      timeoutMs: 200,
    });
    expect(answer).toEqual({
      found: false,
      error: `\`${process.execPath} -e setTimeout(() => {}, 10000)\` did not answer in time`,
    });
  });
});

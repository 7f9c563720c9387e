import { describe, expect, it } from "vitest";
import { type CommandRun, displayArgv, evaluateCommand } from "./evaluate-command.js";

const spec = { command: ["npm", "test", "--", "--grep", "a b"], exitCode: 0, timeoutMs: 60_000 };
const run = (fields: Partial<CommandRun>): CommandRun => ({
  exitCode: 0,
  signal: undefined,
  timedOut: false,
  startError: undefined,
  outputTail: "",
  durationMs: 1500,
  ...fields,
});

describe("evaluateCommand", () => {
  it("shows argv readably, quoting only what needs it", () => {
    expect(displayArgv(spec.command)).toBe('npm test -- --grep "a b"');
  });

  it("passes on the expected exit code", () => {
    expect(evaluateCommand(spec, run({}))).toMatchObject({
      status: "pass",
      diagnostics: ['`npm test -- --grep "a b"` exited 0 in 1s500ms'],
    });
    expect(evaluateCommand({ ...spec, exitCode: 3 }, run({ exitCode: 3 })).status).toBe("pass");
  });

  it("fails with the exit code and the tail of the output", () => {
    const outcome = evaluateCommand(
      spec,
      run({ exitCode: 1, outputTail: "FAIL a.test\n2 failed\n" }),
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics).toEqual([
      '`npm test -- --grep "a b"` exited 1 (expected 0)',
      "last output:\nFAIL a.test\n2 failed",
      "run it by hand to see the whole output",
    ]);
    expect(outcome.details).toMatchObject({ exitCode: 1, outputTail: "FAIL a.test\n2 failed" });
  });

  it("says when it could not start, was killed or timed out", () => {
    expect(
      evaluateCommand(spec, run({ exitCode: undefined, startError: "program not found" }))
        .diagnostics[0],
    ).toBe('`npm test -- --grep "a b"` could not start: program not found');
    expect(
      evaluateCommand(spec, run({ exitCode: undefined, signal: "SIGSEGV" })).diagnostics[0],
    ).toBe('`npm test -- --grep "a b"` was killed by SIGSEGV');
    expect(
      evaluateCommand(spec, run({ exitCode: undefined, timedOut: true, outputTail: "waiting" }))
        .diagnostics,
    ).toEqual([
      '`npm test -- --grep "a b"` did not finish within 1m and was killed',
      "last output:\nwaiting",
      expect.stringMatching(/timeout/),
    ]);
  });
});

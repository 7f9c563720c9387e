import { describe, expect, it } from "vitest";
import { Output } from "./output.js";
import { createProgressRenderer } from "./progress-renderer.js";

function terminal(isTTY: boolean) {
  let text = "";
  const io = {
    stdout: { write: () => true },
    stderr: { isTTY, write: (t: string) => (text += t) },
    env: {},
    cwd: "/",
  };
  return { out: new Output(io, { json: false, quiet: false, color: false }), text: () => text };
}

const MiB = 1024 * 1024;

describe("createProgressRenderer", () => {
  it("draws one bar line in place on a terminal, throttled, and clears it for the next step line", () => {
    const { out, text } = terminal(true);
    let clock = 0;
    const progress = createProgressRenderer(out, () => clock);
    progress.report({ type: "step-started", step: "store db" });
    for (let done = 1; done <= 10; done++) {
      clock = done * 40;
      progress.report({
        type: "bytes",
        step: "store db",
        done: done * 100 * MiB,
        total: 1000 * MiB,
      });
    }
    progress.report({ type: "step-finished", step: "store db", status: "succeeded" });
    const draws = text()
      .split("\r\x1b[K")
      .filter((s) => s.includes("store db  ["));
    // 40 ms apart: the first, then every third report (>= 100 ms), and the last (complete).
    expect(draws.length).toBeGreaterThanOrEqual(3);
    expect(draws.length).toBeLessThanOrEqual(5);
    expect(draws.at(-1)).toContain("[####################]  1000 MiB / 1000 MiB");
    expect(text().endsWith("\r\x1b[K✓ store db\n")).toBe(true);
    expect(progress.events.map((e) => e.type)).toEqual(["step-started", "step-finished"]);
  });

  it("draws no bar when stderr is not a terminal", () => {
    const { out, text } = terminal(false);
    const progress = createProgressRenderer(out, () => 0);
    progress.report({ type: "bytes", step: "store db", done: MiB, total: 2 * MiB });
    progress.report({ type: "step-finished", step: "store db", status: "succeeded" });
    expect(text()).toBe("✓ store db\n");
  });
});

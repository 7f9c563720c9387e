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

  it("adds up the bytes of steps running at once on the one bar, under both names", () => {
    const { out, text } = terminal(true);
    let clock = 0;
    const progress = createProgressRenderer(out, () => clock);
    progress.report({ type: "step-started", step: "store db" });
    progress.report({ type: "bytes", step: "store db", done: 100 * MiB, total: 800 * MiB });
    progress.report({ type: "step-started", step: "store config" });
    clock = 1000;
    progress.report({ type: "bytes", step: "store config", done: 50 * MiB, total: 200 * MiB });
    clock = 2000;
    progress.report({ type: "bytes", step: "store config", done: 200 * MiB, total: 200 * MiB });
    progress.report({ type: "step-finished", step: "store config", status: "succeeded" });
    clock = 3000;
    progress.report({ type: "bytes", step: "store db", done: 800 * MiB, total: 800 * MiB });
    progress.report({ type: "step-finished", step: "store db", status: "succeeded" });
    // A later step alone starts a bar of its own.
    progress.report({ type: "step-started", step: "verify" });
    clock = 4000;
    progress.report({ type: "bytes", step: "verify", done: 10 * MiB, total: 20 * MiB });
    const draws = text()
      .split("\r\x1b[K")
      .filter((s) => s.includes("  ["));
    expect(draws.map((d) => d.trim().split("  [")[0])).toEqual([
      "store db",
      "store db + store config",
      "store db + store config",
      "store db + store config",
      "verify",
    ]);
    expect(draws[1]).toContain("150 MiB / 1000 MiB  150 MiB/s");
    expect(draws[3]).toContain("[####################]  1000 MiB / 1000 MiB");
    expect(draws[4]).toContain("10.0 MiB / 20.0 MiB");
  });

  it("draws no bar when stderr is not a terminal", () => {
    const { out, text } = terminal(false);
    const progress = createProgressRenderer(out, () => 0);
    progress.report({ type: "bytes", step: "store db", done: MiB, total: 2 * MiB });
    progress.report({ type: "step-finished", step: "store db", status: "succeeded" });
    expect(text()).toBe("✓ store db\n");
  });
});

import { describe, expect, it } from "vitest";
import { formatBytes } from "../domain/bytes.js";
import { formatProgressLine } from "./progress-line.js";

const MiB = 1024 * 1024;

describe("formatProgressLine", () => {
  it("shows the bar, bytes of total, rate and time left", () => {
    const line = formatProgressLine({
      step: "store db",
      done: 256 * MiB,
      total: 1024 * MiB,
      elapsedMs: 2000,
    });
    expect(line).toBe("store db  [#####---------------]  256 MiB / 1.00 GiB  128 MiB/s  ETA 6s");
  });

  it("without a total shows bytes and rate only, and no rate before time has passed", () => {
    expect(formatProgressLine({ step: "dump", done: 3 * MiB, elapsedMs: 1500 })).toBe(
      "dump  3.00 MiB  2.00 MiB/s",
    );
    expect(formatProgressLine({ step: "dump", done: 0, total: 10, elapsedMs: 0 })).toBe(
      "dump  [--------------------]  0 B / 10 B",
    );
  });

  it("writes long waits in minutes and hours", () => {
    const slow = formatProgressLine({ step: "s", done: MiB, total: 1000 * MiB, elapsedMs: 1000 });
    expect(slow).toMatch(/ETA 16m39s$/);
    const slower = formatProgressLine({ step: "s", done: 1, total: 10_000, elapsedMs: 1000 });
    expect(slower).toMatch(/ETA 2h46m$/);
  });
});

describe("formatBytes", () => {
  it("uses binary units with three significant digits", () => {
    expect([512, 1536, 15.5 * MiB, 362 * MiB, 1.5 * 1024 * MiB].map(formatBytes)).toEqual([
      "512 B",
      "1.50 KiB",
      "15.5 MiB",
      "362 MiB",
      "1.50 GiB",
    ]);
  });
});

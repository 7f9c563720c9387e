import { describe, expect, it } from "vitest";
import { evaluateDiskSpace } from "./evaluate-disk-space.js";

const MiB = 1024 * 1024;

describe("evaluateDiskSpace", () => {
  it("passes with room for the state times the factor", () => {
    const outcome = evaluateDiskSpace(
      1.5,
      [
        { name: "db", bytes: 100 * MiB },
        { name: "files", bytes: 20 * MiB },
      ],
      { path: "/srv/.shipsafe", availableBytes: 180 * MiB },
    );
    expect(outcome.status).toBe("pass");
    expect(outcome.diagnostics).toEqual([
      "/srv/.shipsafe: 180 MiB free, state 120 MiB × 1.5 = 180 MiB needed",
    ]);
    expect(outcome.details).toMatchObject({ stateBytes: 120 * MiB, neededBytes: 180 * MiB });
  });

  it("fails when the snapshot would not fit", () => {
    const outcome = evaluateDiskSpace(2, [{ name: "db", bytes: 100 * MiB }], {
      path: "/srv/.shipsafe",
      availableBytes: 150 * MiB,
    });
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toBe(
      "/srv/.shipsafe: 150 MiB free, state 100 MiB × 2 = 200 MiB needed",
    );
  });

  it("warns about assets whose size it could not learn", () => {
    const outcome = evaluateDiskSpace(1.5, [{ name: "main", bytes: undefined }], {
      path: "/s",
      availableBytes: MiB,
    });
    expect(outcome.status).toBe("warn");
    expect(outcome.diagnostics[1]).toBe("size unknown for main: not counted");
  });
});

import { describe, expect, it } from "vitest";
import { evaluateBackupAge } from "./evaluate-backup-age.js";

const now = new Date("2026-01-02T12:00:00Z");
const newest = { id: "snap-1", createdAt: "2026-01-02T11:00:00Z" };
const DAY = 86_400_000;

describe("evaluateBackupAge", () => {
  it("passes a recent snapshot and fails an old one", () => {
    expect(evaluateBackupAge(DAY, { hasAssets: true, newest, now })).toMatchObject({
      status: "pass",
      diagnostics: ["newest snapshot snap-1 is 1h old"],
    });
    expect(evaluateBackupAge(30 * 60_000, { hasAssets: true, newest, now })).toMatchObject({
      status: "fail",
      diagnostics: [
        "newest snapshot snap-1 is 1h old (limit 30m)",
        "take one: shipsafe snapshot create",
      ],
    });
  });

  it("passes with no state, warns with no snapshot yet", () => {
    expect(evaluateBackupAge(DAY, { hasAssets: false, newest: undefined, now }).status).toBe(
      "pass",
    );
    expect(evaluateBackupAge(DAY, { hasAssets: true, newest: undefined, now }).status).toBe("warn");
  });

  it("fails a recent snapshot that does not verify", () => {
    const outcome = evaluateBackupAge(DAY, {
      hasAssets: true,
      newest,
      now,
      verification: { ok: false, problems: ["chunk 3f… missing"] },
    });
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toBe(
      "newest snapshot snap-1 is recent but damaged: chunk 3f… missing",
    );
  });
});

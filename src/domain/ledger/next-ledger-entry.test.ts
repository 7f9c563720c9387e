import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../canonical-json.js";
import { GENESIS_HASH } from "./ledger-hash.js";
import { nextLedgerEntry } from "./next-ledger-entry.js";

describe("nextLedgerEntry", () => {
  const input = { actor: "alice", env: "prod", kind: "gate.run", subject: "v1", data: { a: 1 } };

  it("starts at seq 1 linked to the genesis hash", () => {
    const first = nextLedgerEntry(undefined, input, "2025-01-01T00:00:00.000Z");
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });

  it("hashes sha256(prevHash || canonicalJson(body)) and links to the previous entry", () => {
    const first = nextLedgerEntry(undefined, input, "2025-01-01T00:00:00.000Z");
    const second = nextLedgerEntry(first, { ...input, evidenceHash: "c".repeat(64) }, "t2");
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    const body = {
      seq: 2,
      at: "t2",
      actor: "alice",
      env: "prod",
      kind: "gate.run",
      subject: "v1",
      data: { a: 1 },
      evidenceHash: "c".repeat(64),
      prevHash: first.hash,
    };
    const expected = createHash("sha256")
      .update(first.hash + canonicalJson(body))
      .digest("hex");
    expect(second.hash).toBe(expected);
  });

  it("omits evidenceHash when the input has none", () => {
    const first = nextLedgerEntry(undefined, input, "t");
    expect("evidenceHash" in first).toBe(false);
  });
});

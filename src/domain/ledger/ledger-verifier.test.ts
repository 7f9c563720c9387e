import { describe, expect, it } from "vitest";
import type { LedgerCheckpoint, LedgerEntry } from "../model/ledger.js";
import {
  buildChain,
  sampleInput,
  testCheckpoint,
  verifyTestSignature,
} from "./ledger.test-support.js";
import { GENESIS_HASH, ledgerEntryHash } from "./ledger-hash.js";
import type { LedgerVerification } from "./ledger-verification.js";
import { LedgerVerifier } from "./ledger-verifier.js";
import { nextLedgerEntry } from "./next-ledger-entry.js";

function verify(entries: readonly LedgerEntry[], checkpoints: readonly LedgerCheckpoint[]) {
  const verifier = new LedgerVerifier(checkpoints, verifyTestSignature);
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier.finish();
}

function failure(result: LedgerVerification) {
  if (result.ok) throw new Error("expected a failure");
  return { seq: result.firstBadSeq, reason: result.reason };
}

const chain = buildChain(Array.from({ length: 10 }, (_, i) => sampleInput(i)));
const sealed = [testCheckpoint(chain[4] as LedgerEntry), testCheckpoint(chain[9] as LedgerEntry)];
const at = (i: number) => chain[i - 1] as LedgerEntry;

describe("LedgerVerifier", () => {
  it("accepts an intact, sealed chain", () => {
    expect(verify(chain, sealed)).toEqual({
      ok: true,
      entries: 10,
      checkpoints: 2,
      lastSeq: 10,
      lastHash: at(10).hash,
    });
  });

  it("accepts an empty ledger", () => {
    expect(verify([], [])).toMatchObject({ ok: true, entries: 0, lastHash: GENESIS_HASH });
  });

  it("names the entry whose data was altered", () => {
    const tampered = chain.map((e) => (e.seq === 6 ? { ...e, data: { i: 99 } } : e));
    expect(failure(verify(tampered, sealed))).toEqual({ seq: 6, reason: "hash-mismatch" });
  });

  it("names the next entry when an altered entry's own hash was recomputed", () => {
    const tampered = chain.map((e) => {
      if (e.seq !== 6) return e;
      const { hash: _, ...body } = { ...e, subject: "forged" };
      return { ...body, hash: ledgerEntryHash(body) };
    });
    expect(failure(verify(tampered, sealed))).toEqual({ seq: 7, reason: "broken-link" });
  });

  it("names a deleted middle entry", () => {
    const tampered = chain.filter((e) => e.seq !== 3);
    expect(failure(verify(tampered, sealed))).toEqual({ seq: 3, reason: "missing-entry" });
  });

  it("reports a deleted last entry covered by a checkpoint as truncated", () => {
    expect(failure(verify(chain.slice(0, 9), sealed))).toEqual({ seq: 10, reason: "truncated" });
  });

  it("names the first of two entries whose seq numbers were swapped", () => {
    const tampered = chain.map((e) =>
      e.seq === 4 ? { ...e, seq: 5 } : e.seq === 5 ? { ...e, seq: 4 } : e,
    );
    tampered.sort((a, b) => a.seq - b.seq);
    expect(failure(verify(tampered, sealed))).toMatchObject({ seq: 4 });
  });

  it("names the first of two entries whose contents were swapped", () => {
    const tampered = chain.map((e) =>
      e.seq === 4 ? { ...at(5), seq: 4 } : e.seq === 5 ? { ...at(4), seq: 5 } : e,
    );
    expect(failure(verify(tampered, sealed))).toEqual({ seq: 4, reason: "hash-mismatch" });
  });

  it("reports a correctly hashed entry appended after the last checkpoint as unsealed", () => {
    const appended = [...chain, nextLedgerEntry(at(10), sampleInput(10), "later")];
    expect(failure(verify(appended, sealed))).toEqual({ seq: 11, reason: "unsealed" });
    expect(failure(verify(chain, []))).toEqual({ seq: 1, reason: "unsealed" });
  });

  it("names a checkpoint whose signature is wrong", () => {
    const forged = [sealed[0] as LedgerCheckpoint, { ...(sealed[1] as LedgerCheckpoint), at: "x" }];
    expect(failure(verify(chain, forged))).toEqual({
      seq: 10,
      reason: "bad-checkpoint-signature",
    });
    const unknownKey = [{ ...(sealed[0] as LedgerCheckpoint), keyId: "someone-else" }];
    expect(failure(verify(chain, unknownKey))).toMatchObject({ seq: 5 });
  });

  it("names a checkpoint whose hash does not match the chain", () => {
    const wrong = testCheckpoint({ ...at(5), hash: "f".repeat(64) });
    expect(failure(verify(chain, [wrong, sealed[1] as LedgerCheckpoint]))).toEqual({
      seq: 5,
      reason: "checkpoint-mismatch",
    });
  });

  it("reports a duplicated seq as out of order", () => {
    const tampered = [...chain.slice(0, 5), at(5), ...chain.slice(5)];
    expect(failure(verify(tampered, sealed))).toEqual({ seq: 6, reason: "out-of-order" });
  });

  it("keeps the first failure when another is rejected later", () => {
    const verifier = new LedgerVerifier(sealed, verifyTestSignature);
    verifier.push(at(1));
    verifier.reject(1, "missing-evidence", "gone");
    verifier.reject(2, "corrupt-evidence", "later");
    expect(verifier.push(at(2))).toBe(false);
    expect(failure(verifier.finish())).toEqual({ seq: 1, reason: "missing-evidence" });
  });
});

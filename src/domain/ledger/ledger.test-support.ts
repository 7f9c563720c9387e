import { createHash } from "node:crypto";
import type { LedgerCheckpoint, LedgerEntry, LedgerEntryInput } from "../model/ledger.js";
import { checkpointMessage } from "./checkpoint-message.js";
import type { VerifySignature } from "./ledger-verification.js";
import { nextLedgerEntry } from "./next-ledger-entry.js";

// Test helpers only (not shipped behaviour): a keyed-hash "signature" stands in for Ed25519 so
// the pure verifier can be tested without keys.

export const TEST_KEY_ID = "test-key";

export function fakeSign(message: string, keyId: string): string {
  return createHash("sha256").update(`${keyId}\n${message}`).digest("base64");
}

export const verifyTestSignature: VerifySignature = (message, signature, keyId) =>
  keyId === TEST_KEY_ID && fakeSign(message, keyId) === signature;

export function testCheckpoint(entry: LedgerEntry, at = entry.at): LedgerCheckpoint {
  const unsigned = { seq: entry.seq, hash: entry.hash, at, keyId: TEST_KEY_ID };
  return { ...unsigned, signature: fakeSign(checkpointMessage(unsigned), TEST_KEY_ID) };
}

export function sampleInput(i: number): LedgerEntryInput {
  return {
    actor: "alice",
    env: i % 3 === 0 ? null : "production",
    kind: "gate.run",
    subject: `v1.${i}`,
    data: { i, passed: i % 2 === 0 },
    ...(i % 4 === 0 ? { evidenceHash: "ab".repeat(32) } : {}),
  };
}

export function buildChain(inputs: readonly LedgerEntryInput[]): LedgerEntry[] {
  const chain: LedgerEntry[] = [];
  for (const [i, input] of inputs.entries()) {
    const at = new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
    chain.push(nextLedgerEntry(chain.at(-1), input, at));
  }
  return chain;
}

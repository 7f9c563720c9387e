import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../model/json.js";
import type { LedgerEntry, LedgerEntryInput } from "../model/ledger.js";
import { buildChain, testCheckpoint, verifyTestSignature } from "./ledger.test-support.js";
import { LedgerVerifier } from "./ledger-verifier.js";

const input: fc.Arbitrary<LedgerEntryInput> = fc.record(
  {
    actor: fc.string(),
    env: fc.option(fc.string(), { nil: null }),
    kind: fc.string(),
    subject: fc.string(),
    data: fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<JsonObject>,
    evidenceHash: fc.stringMatching(/^[0-9a-f]{64}$/),
  },
  { requiredKeys: ["actor", "env", "kind", "subject", "data"] },
);

/** A chain plus a sorted set of checkpoint seqs that always includes the last entry. */
const sealedChain = fc
  .array(input, { minLength: 1, maxLength: 25 })
  .chain((inputs) =>
    fc.tuple(fc.constant(buildChain(inputs)), fc.uniqueArray(fc.nat({ max: inputs.length - 1 }))),
  )
  .map(([chain, picks]) => {
    const seqs = new Set([...picks.map((p) => p + 1), chain.length]);
    const checkpoints = [...seqs].map((seq) => testCheckpoint(chain[seq - 1] as LedgerEntry));
    return { chain, checkpoints };
  });

type Mutation = (entry: LedgerEntry) => LedgerEntry;
const mutations: Record<string, Mutation> = {
  data: (e) => ({ ...e, data: { ...e.data, tampered: true, __n: Object.keys(e.data).length } }),
  actor: (e) => ({ ...e, actor: `${e.actor}x` }),
  env: (e) => ({ ...e, env: e.env === null ? "" : null }),
  kind: (e) => ({ ...e, kind: `${e.kind}x` }),
  subject: (e) => ({ ...e, subject: `${e.subject}x` }),
  at: (e) => ({ ...e, at: `${e.at}x` }),
  evidenceHash: (e) => {
    if (e.evidenceHash === undefined) return { ...e, evidenceHash: "0".repeat(64) };
    const { evidenceHash: _, ...rest } = e;
    return rest;
  },
  prevHash: (e) => ({ ...e, prevHash: e.prevHash.replace(/^./, (c) => (c === "a" ? "b" : "a")) }),
  hash: (e) => ({ ...e, hash: e.hash.replace(/^./, (c) => (c === "a" ? "b" : "a")) }),
  seqUp: (e) => ({ ...e, seq: e.seq + 1 }),
  seqDown: (e) => ({ ...e, seq: e.seq - 1 }),
};

function run(chain: readonly LedgerEntry[], checkpoints: Parameters<typeof testCheckpoint>[0][]) {
  const verifier = new LedgerVerifier(
    checkpoints.map((e) => testCheckpoint(e)),
    verifyTestSignature,
  );
  for (const entry of chain) if (!verifier.push(entry)) break;
  return verifier.finish();
}

describe("LedgerVerifier properties", () => {
  it("every chain built by nextLedgerEntry and sealed verifies", () => {
    fc.assert(
      fc.property(sealedChain, ({ chain, checkpoints }) => {
        const verifier = new LedgerVerifier(checkpoints, verifyTestSignature);
        for (const entry of chain) expect(verifier.push(entry)).toBe(true);
        expect(verifier.finish()).toMatchObject({ ok: true, lastSeq: chain.length });
      }),
    );
  });

  it("any single mutation of any entry is detected at that entry's seq", () => {
    fc.assert(
      fc.property(
        sealedChain,
        fc.nat(),
        fc.constantFrom(...Object.keys(mutations)),
        ({ chain, checkpoints }, pick, name) => {
          const index = pick % chain.length;
          const mutate = mutations[name] as Mutation;
          const tampered = chain.map((e, i) => (i === index ? mutate(e) : e));
          const verifier = new LedgerVerifier(checkpoints, verifyTestSignature);
          for (const entry of tampered) if (!verifier.push(entry)) break;
          const result = verifier.finish();
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.firstBadSeq).toBe(index + 1);
        },
      ),
    );
  });

  it("deleting any entry is detected at its seq", () => {
    fc.assert(
      fc.property(sealedChain, fc.nat(), ({ chain }, pick) => {
        const index = pick % chain.length;
        const result = run(
          chain.filter((_, i) => i !== index),
          [chain.at(-1) as LedgerEntry],
        );
        expect(result).toMatchObject({ ok: false, firstBadSeq: index + 1 });
      }),
    );
  });
});

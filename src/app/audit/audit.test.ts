import { describe, expect, it } from "vitest";
import {
  fakeSign,
  TEST_KEY_ID,
  verifyTestSignature,
} from "../../domain/ledger/ledger.test-support.js";
import type { Clock } from "../../ports/clock.js";
import type { Signer } from "../../ports/signer.js";
import { exportLedger } from "./export-ledger.js";
import { memoryEvidence, memoryLedger } from "./memory-audit.test-support.js";
import { recordAction } from "./record-action.js";
import { sealLedger } from "./seal-ledger.js";
import { verifyLedger } from "./verify-ledger.js";

const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
const signer: Signer = {
  keyId: TEST_KEY_ID,
  sign: (message) => fakeSign(message, TEST_KEY_ID),
  verify: verifyTestSignature,
  publicKeyPem: () => "test",
};
const note = { actor: "bob", env: "staging", kind: "operator.note", subject: "staging", data: {} };

function setup() {
  const ledger = memoryLedger();
  const evidence = memoryEvidence();
  return { ledger, evidence, signer, clock };
}

describe("audit use cases", () => {
  it("stores evidence first and links it from the entry", async () => {
    const deps = setup();
    const entry = await recordAction(deps, { ...note, evidence: { checks: ["ok"] } });
    expect(entry).toMatchObject({ seq: 1, at: "2025-03-01T12:00:00.000Z", actor: "bob" });
    expect(entry.evidenceHash).toBeDefined();
    expect(await deps.evidence.get(entry.evidenceHash as string)).toEqual({ checks: ["ok"] });
    expect("evidence" in entry).toBe(false);
    const plain = await recordAction(deps, note);
    expect("evidenceHash" in plain).toBe(false);
  });

  it("seals once per new tail and verifies", async () => {
    const deps = setup();
    expect(await sealLedger(deps)).toBeUndefined();
    await recordAction(deps, note);
    await recordAction(deps, { ...note, evidence: { n: 1 } });
    const cp = await sealLedger(deps);
    expect(cp).toMatchObject({ seq: 2, keyId: TEST_KEY_ID });
    expect(await sealLedger(deps)).toBeUndefined();
    expect(await verifyLedger(deps)).toMatchObject({ ok: true, entries: 2, checkpoints: 1 });
  });

  it("reports missing and corrupt evidence at the entry's seq", async () => {
    const deps = setup();
    await recordAction(deps, note);
    const second = await recordAction(deps, { ...note, evidence: { n: 1 } });
    await sealLedger(deps);
    const hash = second.evidenceHash as string;

    deps.evidence.docs.delete(hash);
    expect(await verifyLedger(deps)).toMatchObject({
      ok: false,
      firstBadSeq: 2,
      reason: "missing-evidence",
    });
    expect(await verifyLedger({ ledger: deps.ledger, signer })).toMatchObject({ ok: true });

    const { ShipsafeError } = await import("../../domain/errors.js");
    deps.evidence.get = async () => {
      throw new ShipsafeError({
        code: "EVIDENCE_CORRUPT",
        kind: "runtime",
        message: "x",
        hint: "y",
      });
    };
    expect(await verifyLedger(deps)).toMatchObject({
      ok: false,
      firstBadSeq: 2,
      reason: "corrupt-evidence",
    });
  });

  it("exports entries then checkpoints as typed JSON lines", async () => {
    const deps = setup();
    await recordAction(deps, note);
    await sealLedger(deps);
    const lines: string[] = [];
    for await (const line of exportLedger(deps.ledger)) lines.push(line);
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(["entry", "checkpoint"]);
    expect(JSON.parse(lines[0] as string)).toEqual({ type: "entry", ...deps.ledger.rows[0] });
    expect(JSON.parse(lines[1] as string)).toEqual({ type: "checkpoint", ...deps.ledger.cps[0] });
  });
});

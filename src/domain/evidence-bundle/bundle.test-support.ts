import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import { checkpointMessage } from "../ledger/checkpoint-message.js";
import { nextLedgerEntry } from "../ledger/next-ledger-entry.js";
import type { LedgerCheckpoint, LedgerEntry } from "../model/ledger.js";
import { bundleContents } from "./bundle-contents.js";
import type { BundleFile } from "./bundle-format.js";

/** An Ed25519 key pair as the ledger signer has it: PEM public key, key id, sign(). */
export function testSigner(): { pem: string; keyId: string; sign: (message: string) => string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const keyId = createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
  return {
    pem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    keyId,
    sign: (message) => sign(null, Buffer.from(message, "utf8"), privateKey).toString("base64"),
  };
}

/**
 * A ledger of 8 entries (notes and gate runs with evidence, one failing) checkpointed at 4 and 8,
 * and the bundle of entries 3..8.
 */
export function sampleBundle(signer = testSigner()): {
  files: BundleFile[];
  entries: LedgerEntry[];
  createdAt: string;
  signer: ReturnType<typeof testSigner>;
} {
  const evidence = new Map<string, string>();
  const entries: LedgerEntry[] = [];
  for (let i = 1; i <= 8; i++) {
    const gate = i % 2 === 0;
    const doc = canonicalJson({
      format: "shipsafe-gate-run/1",
      gate: "release",
      run: i,
      passed: i !== 6,
    });
    const hash = createHash("sha256").update(doc).digest("hex");
    if (gate && i >= 3) evidence.set(hash, doc);
    entries.push(
      nextLedgerEntry(
        entries.at(-1),
        {
          actor: "tester",
          env: "production",
          kind: gate ? "gate.run" : "operator.note",
          subject: gate ? "release" : "production",
          data: gate
            ? { passed: i !== 6, failed: i === 6 ? ["build"] : [] }
            : { message: `note ${i}` },
          ...(gate ? { evidenceHash: hash } : {}),
        },
        `2026-01-01T00:00:0${i}.000Z`,
      ),
    );
  }
  const checkpoint = (entry: LedgerEntry): LedgerCheckpoint => {
    const body = { seq: entry.seq, hash: entry.hash, at: entry.at, keyId: signer.keyId };
    return { ...body, signature: signer.sign(checkpointMessage(body)) };
  };
  const excerpt = entries.slice(2);
  const createdAt = "2026-01-02T00:00:00.000Z";
  const files = bundleContents({
    createdAt,
    since: { kind: "time", value: "2026-01-01T00:00:03.000Z", env: null },
    entries: excerpt,
    checkpoints: [checkpoint(entries[3] as LedgerEntry), checkpoint(entries[7] as LedgerEntry)],
    evidence,
    publicKeyPem: signer.pem,
    keyId: signer.keyId,
    sign: signer.sign,
  });
  return { files, entries: excerpt, createdAt, signer };
}

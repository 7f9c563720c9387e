import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordAction } from "../../../app/audit/record-action.js";
import { sealLedger } from "../../../app/audit/seal-ledger.js";
import { verifyLedger } from "../../../app/audit/verify-ledger.js";
import { canonicalJson } from "../../../domain/canonical-json.js";
import { nextLedgerEntry } from "../../../domain/ledger/next-ledger-entry.js";
import type { LedgerEntry } from "../../../domain/model/ledger.js";
import { systemClock } from "../../../ports/clock.js";
import type { EvidenceStore } from "../../../ports/evidence-store.js";
import type { Signer } from "../../../ports/signer.js";
import type { Store } from "../../../ports/store.js";
import { openFsEvidenceStore } from "../../evidence/fs/fs-evidence-store.js";
import { openEd25519Signer } from "../../signer/ed25519/ed25519-signer.js";
import { openSqliteStore, STORE_FILE } from "./sqlite-store.js";

// Tampering as an attacker with write access to the state dir would do it: raw SQL on the real
// database file, after dropping the append-only triggers.

describe("audit verify against a tampered SQLite ledger", () => {
  let stateDir: string;
  let store: Store;
  let signer: Signer;
  let evidence: EvidenceStore;
  let raw: Database.Database;
  let evidenceHash: string;

  const verify = () => verifyLedger({ ledger: store.ledger, signer, evidence });
  const failure = async () => {
    const result = await verify();
    return result.ok ? result : { seq: result.firstBadSeq, reason: result.reason };
  };

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "shipsafe-tamper-"));
    store = await openSqliteStore(stateDir);
    signer = await openEd25519Signer(stateDir);
    evidence = await openFsEvidenceStore(stateDir);
    const deps = { ledger: store.ledger, evidence, clock: systemClock, signer };
    for (let n = 1; n <= 10; n++) {
      const extra = n === 7 ? { evidence: { gate: "release", passed: true } } : {};
      const entry = await recordAction(deps, {
        actor: "alice",
        env: "prod",
        kind: "gate.run",
        subject: `v${n}`,
        data: { n },
        ...extra,
      });
      if (n === 7) evidenceHash = entry.evidenceHash as string;
      if (n === 5 || n === 10) await sealLedger(deps);
    }
    raw = new Database(join(stateDir, STORE_FILE));
    for (const t of ["ledger_no_update", "ledger_no_delete", "ledger_checkpoints_no_update"]) {
      raw.exec(`DROP TRIGGER ${t}`);
    }
  });
  afterEach(async () => {
    raw.close();
    await store.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it("verifies an untouched ledger", async () => {
    expect(await verify()).toMatchObject({ ok: true, entries: 10, checkpoints: 2, lastSeq: 10 });
  });

  it("the append-only triggers stop accidental edits", async () => {
    const fresh = await mkdtemp(join(tmpdir(), "shipsafe-trigger-"));
    const other = await openSqliteStore(fresh);
    await other.ledger.append((last) =>
      nextLedgerEntry(last, { actor: "a", env: null, kind: "k", subject: "s", data: {} }, "t"),
    );
    await other.close();
    const db = new Database(join(fresh, STORE_FILE));
    expect(() => db.exec("UPDATE ledger SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => db.exec("DELETE FROM ledger")).toThrow(/append-only/);
    db.close();
    await rm(fresh, { recursive: true, force: true });
  });

  it("names an entry whose data was altered", async () => {
    raw.prepare("UPDATE ledger SET data = ? WHERE seq = 4").run(canonicalJson({ n: 400 }));
    expect(await failure()).toEqual({ seq: 4, reason: "hash-mismatch" });
  });

  it("names a deleted entry", async () => {
    raw.exec("DELETE FROM ledger WHERE seq = 6");
    expect(await failure()).toEqual({ seq: 6, reason: "missing-entry" });
  });

  it("reports a deleted last entry as truncation", async () => {
    raw.exec("DELETE FROM ledger WHERE seq = 10");
    expect(await failure()).toEqual({ seq: 10, reason: "truncated" });
  });

  it("names the first of two entries whose seq numbers were swapped", async () => {
    raw.exec("UPDATE ledger SET seq = -3 WHERE seq = 3");
    raw.exec("UPDATE ledger SET seq = 3 WHERE seq = 8");
    raw.exec("UPDATE ledger SET seq = 8 WHERE seq = -3");
    expect(await failure()).toMatchObject({ seq: 3 });
  });

  it("names the first of two entries whose contents were swapped", async () => {
    const cols = "at, actor, env, kind, subject, data, evidence_hash, prev_hash, hash";
    const row = (seq: number) => raw.prepare(`SELECT ${cols} FROM ledger WHERE seq = ?`).get(seq);
    const [a, b] = [row(2), row(3)];
    const set = raw.prepare(
      `UPDATE ledger SET (${cols}) = (@at, @actor, @env, @kind, @subject, @data, @evidence_hash, @prev_hash, @hash) WHERE seq = @seq`,
    );
    set.run({ ...(b as object), seq: 2 });
    set.run({ ...(a as object), seq: 3 });
    expect(await failure()).toEqual({ seq: 2, reason: "hash-mismatch" });
  });

  it("reports an entry appended by raw SQL with a correct hash as unsealed", async () => {
    const last = (await store.ledger.last()) as LedgerEntry;
    const forged = nextLedgerEntry(
      last,
      { actor: "mallory", env: "prod", kind: "gate.run", subject: "v11", data: { n: 11 } },
      new Date().toISOString(),
    );
    raw
      .prepare(
        `INSERT INTO ledger (seq, at, actor, env, kind, subject, data, evidence_hash, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
      )
      .run(
        forged.seq,
        forged.at,
        forged.actor,
        forged.env,
        forged.kind,
        forged.subject,
        canonicalJson(forged.data),
        forged.prevHash,
        forged.hash,
      );
    expect(await failure()).toEqual({ seq: 11, reason: "unsealed" });
  });

  it("names a checkpoint whose signature was tampered with", async () => {
    const sig = raw
      .prepare("SELECT signature FROM ledger_checkpoints WHERE seq = 5")
      .pluck()
      .get() as string;
    const flipped = Buffer.from(sig, "base64");
    flipped[0] = (flipped[0] as number) ^ 1;
    raw
      .prepare("UPDATE ledger_checkpoints SET signature = ? WHERE seq = 5")
      .run(flipped.toString("base64"));
    expect(await failure()).toEqual({ seq: 5, reason: "bad-checkpoint-signature" });
  });

  it("names a checkpoint moved to another seq", async () => {
    raw.exec("UPDATE ledger_checkpoints SET seq = 4 WHERE seq = 5");
    expect(await failure()).toMatchObject({ seq: 4 });
  });

  it("names the entry whose evidence document was altered", async () => {
    const file = join(stateDir, "evidence", evidenceHash.slice(0, 2), `${evidenceHash}.json`);
    await writeFile(file, canonicalJson({ gate: "release", passed: false }));
    expect(await failure()).toEqual({ seq: 7, reason: "corrupt-evidence" });
  });

  it("names the entry whose evidence document is missing", async () => {
    await rm(join(stateDir, "evidence", evidenceHash.slice(0, 2), `${evidenceHash}.json`));
    expect(await failure()).toEqual({ seq: 7, reason: "missing-evidence" });
  });
});

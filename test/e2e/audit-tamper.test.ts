import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nextLedgerEntry } from "../../src/domain/ledger/next-ledger-entry.js";
import type { LedgerEntry } from "../../src/domain/model/ledger.js";
import { shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const CONFIG = `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
`;

interface Row {
  seq: number;
  at: string;
  actor: string;
  env: string | null;
  kind: string;
  subject: string;
  data: string;
  evidence_hash: string | null;
  prev_hash: string;
  hash: string;
}

/** Tampering as someone with write access to the state dir: raw SQL on the real database file. */
describe("shipsafe audit verify on a tampered ledger (built CLI, real SQLite file)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: Database.Database;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    for (let n = 1; n <= 5; n++) {
      const r = await shipsafe(["audit", "note", "--env", "production", `note ${n}`], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
    db = new Database(join(dir, ".shipsafe", "shipsafe.db"));
    for (const trigger of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
      .pluck()
      .all() as string[]) {
      db.exec(`DROP TRIGGER ${trigger}`);
    }
  });
  afterEach(async () => {
    db.close();
    await cleanup();
  });

  const verify = async (): Promise<{ code: number; failure: Record<string, unknown> }> => {
    const human = await shipsafe(["audit", "verify"], { cwd: dir });
    const json = await shipsafe(["audit", "verify", "--json"], { cwd: dir });
    expect(json.code).toBe(human.code);
    if (human.code === 1) expect(human.stdout).toMatch(/^FAILED at seq \d+/);
    return { code: json.code, failure: JSON.parse(json.stdout) };
  };

  it("an untouched ledger verifies (exit 0)", async () => {
    const { code, failure } = await verify();
    expect(code).toBe(0);
    expect(failure).toMatchObject({ ok: true, entries: 5, lastSeq: 5 });
  });

  it("altering one entry's data names that seq", async () => {
    db.prepare("UPDATE ledger SET data = ? WHERE seq = 3").run(
      JSON.stringify({ message: "edited" }),
    );
    expect(await verify()).toEqual({
      code: 1,
      failure: expect.objectContaining({ ok: false, firstBadSeq: 3 }),
    });
  });

  it("deleting an entry names the missing seq", async () => {
    db.prepare("DELETE FROM ledger WHERE seq = 2").run();
    expect(await verify()).toEqual({
      code: 1,
      failure: expect.objectContaining({ ok: false, firstBadSeq: 2 }),
    });
  });

  it("swapping two entries names the first swapped seq", async () => {
    const rows = db.prepare("SELECT * FROM ledger WHERE seq IN (3, 4) ORDER BY seq").all() as Row[];
    const [three, four] = rows as [Row, Row];
    const update = db.prepare(
      "UPDATE ledger SET at = ?, data = ?, prev_hash = ?, hash = ? WHERE seq = ?",
    );
    db.transaction(() => {
      update.run(four.at, four.data, four.prev_hash, four.hash, 3);
      update.run(three.at, three.data, three.prev_hash, three.hash, 4);
    })();
    expect(await verify()).toEqual({
      code: 1,
      failure: expect.objectContaining({ ok: false, firstBadSeq: 3 }),
    });
  });

  it("an entry appended by raw SQL, even with a correct hash, is named as unsealed", async () => {
    const last = db.prepare("SELECT * FROM ledger ORDER BY seq DESC LIMIT 1").get() as Row;
    const lastEntry: LedgerEntry = {
      seq: last.seq,
      at: last.at,
      actor: last.actor,
      env: last.env,
      kind: last.kind,
      subject: last.subject,
      data: JSON.parse(last.data),
      prevHash: last.prev_hash,
      hash: last.hash,
    };
    const forged = nextLedgerEntry(
      lastEntry,
      { actor: "mallory", env: "production", kind: "operator.note", subject: "x", data: {} },
      new Date().toISOString(),
    );
    db.prepare(
      "INSERT INTO ledger (seq, at, actor, env, kind, subject, data, evidence_hash, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
    ).run(
      forged.seq,
      forged.at,
      forged.actor,
      forged.env,
      forged.kind,
      forged.subject,
      JSON.stringify(forged.data),
      forged.prevHash,
      forged.hash,
    );
    expect(await verify()).toEqual({
      code: 1,
      failure: expect.objectContaining({ ok: false, firstBadSeq: 6, reason: "unsealed" }),
    });
  });
});

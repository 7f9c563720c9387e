import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryEvidence, memoryLedger } from "../../app/audit/memory-audit.test-support.js";
import { recordAction } from "../../app/audit/record-action.js";
import { exportSnapshot } from "../../app/snapshots/export-snapshot.js";
import { importSnapshot } from "../../app/snapshots/import-snapshot.js";
import { verifyArchive } from "../../app/snapshots/verify-archive.js";
import { systemClock } from "../../ports/clock.js";
import type { Signer } from "../../ports/signer.js";
import type { SnapshotManifest, SnapshotStore } from "../../ports/snapshot-store.js";
import type { StateAsset } from "../../ports/state-asset.js";
import { openEd25519Signer } from "../signer/ed25519/ed25519-signer.js";
import { openDirSnapshotStore } from "../snapshots/dir/dir-snapshot-store.js";
import { manifestHashOf } from "../snapshots/dir/snapshot-manifest.js";
import { hashFile } from "../state/files/durable-copy.js";
import { createFilesAsset } from "../state/files/files-asset.js";
import { createSqliteAsset } from "../state/sqlite/sqlite-asset.js";
import { createTarSnapshotArchives } from "./tar-snapshot-archives.js";

const archives = createTarSnapshotArchives();

interface Side {
  stateDir: string;
  store: SnapshotStore;
  signer: Signer;
  ledger: ReturnType<typeof memoryLedger>;
  evidence: ReturnType<typeof memoryEvidence>;
  record: Parameters<typeof exportSnapshot>[0]["record"];
}

async function side(stateDir: string): Promise<Side> {
  const ledger = memoryLedger();
  const evidence = memoryEvidence();
  return {
    stateDir,
    store: await openDirSnapshotStore(stateDir),
    signer: await openEd25519Signer(stateDir),
    ledger,
    evidence,
    record: (input) =>
      recordAction({ ledger, evidence, clock: systemClock }, { ...input, actor: "t", env: "prod" }),
  };
}

let work: string;
let project: string;
let assets: StateAsset[];
let a: Side;
let b: Side;
let original: SnapshotManifest;
let file: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-archive-rt-"));
  project = join(work, "project");
  await mkdir(join(project, "data"), { recursive: true });
  await mkdir(join(project, "uploads/2026/deep"), { recursive: true });
  await writeFile(join(project, "uploads/2026/a.txt"), "alpha\n");
  await writeFile(join(project, "uploads/2026/deep", `${"long-name-".repeat(12)}.bin`), "x");
  const db = new Database(join(project, "data/app.db"));
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
  db.exec("INSERT INTO users (name) VALUES ('ann'), ('bob')");
  db.close();
  assets = [
    createSqliteAsset({ name: "main", path: join(project, "data/app.db") }),
    createFilesAsset({ name: "uploads", paths: [join(project, "uploads")], baseDir: project }),
  ];
  a = await side(join(work, "a"));
  b = await side(join(work, "b"));
  original = await a.store.create({ env: "prod", service: "shop", reason: "manual" }, assets);
  file = join(work, "snap.tar");
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const exportDeps = (s: Side) => ({
  snapshots: s.store,
  archives,
  signer: s.signer,
  clock: systemClock,
  record: s.record,
});
const importDeps = (s: Side) => ({
  snapshots: s.store,
  archives,
  signer: s.signer,
  ledger: s.ledger,
  evidence: s.evidence,
  record: s.record,
  stagingParent: s.stateDir,
});

describe("portable snapshot archives", () => {
  it("export → verify → import into a fresh state dir → restore equals the original", async () => {
    const exported = await exportSnapshot(exportDeps(a), original.id, file, a.stateDir);
    expect(exported).toMatchObject({
      snapshotId: original.id,
      manifestHash: original.manifestHash,
    });
    expect((await hashFile(file)).sha256).toBe(exported.sha256);
    expect(a.ledger.rows.at(-1)).toMatchObject({ kind: "snapshot.exported", subject: original.id });
    // No scratch or temp file left behind.
    expect((await readdir(a.stateDir)).filter((n) => n.startsWith(".shipsafe"))).toEqual([]);
    expect(await readdir(work)).toEqual(["a", "b", "project", "snap.tar"]);

    const verified = await verifyArchive({ archives, signer: a.signer }, file);
    expect(verified).toMatchObject({ ok: true, trustedBy: "signature", snapshotId: original.id });
    expect(await verifyArchive({ archives }, file)).toMatchObject({
      ok: false,
      problems: [{ rule: "untrusted" }],
    });

    // B trusts A's key once it is pinned in keys/trusted/.
    await expect(importSnapshot(importDeps(b), file)).rejects.toMatchObject({
      code: "ARCHIVE_REJECTED",
      problems: [{ path: "untrusted" }],
    });
    await mkdir(join(b.stateDir, "keys/trusted"), { recursive: true });
    await writeFile(join(b.stateDir, "keys/trusted/a.pem"), a.signer.publicKeyPem());
    b = await side(b.stateDir);
    const imported = await importSnapshot(importDeps(b), file);
    expect(imported.trustedBy).toBe("signature");
    expect(imported.manifest).toEqual(original);
    expect(await b.store.get(original.id)).toEqual(original);
    expect((await b.store.verify(original.id)).ok).toBe(true);
    expect(b.ledger.rows.at(-1)).toMatchObject({ kind: "snapshot.imported", subject: original.id });
    expect((await readdir(b.stateDir)).filter((n) => n.startsWith(".shipsafe"))).toEqual([]);
    // Importing again is a no-op.
    expect((await importSnapshot(importDeps(b), file)).manifest).toEqual(original);

    // Restore from B's copy equals the original.
    const originalDb = await hashFile(join(project, "data/app.db"));
    const db = new Database(join(project, "data/app.db"));
    db.exec("DELETE FROM users");
    db.close();
    await writeFile(join(project, "uploads/2026/a.txt"), "changed\n");
    await b.store.restore(original.id, assets);
    expect(await readFile(join(project, "uploads/2026/a.txt"), "utf8")).toBe("alpha\n");
    const restored = new Database(join(project, "data/app.db"), { readonly: true });
    expect(restored.prepare("SELECT count(*) FROM users").pluck().get()).toBe(2);
    restored.close();
    expect((await hashFile(join(project, "data/app.db"))).size).toBe(originalDb.size);
  });

  it("writes a POSIX tar that the system tar lists, in the documented order", async () => {
    await exportSnapshot(exportDeps(a), original.id, file, a.stateDir);
    const listed = spawnSync("tar", ["-tf", file], { encoding: "utf8" });
    if (listed.error) return; // no tar binary here
    const names = listed.stdout.trim().split("\n");
    expect(names.slice(0, 3)).toEqual(["shipsafe-archive.json", "manifest.json", "SHA256SUMS"]);
    const long = `data/uploads/uploads/2026/deep/${"long-name-".repeat(12)}.bin`;
    expect(long.length).toBeGreaterThan(100);
    expect(names).toContain(long);
  });

  it("a manifest edited with recomputed SHA256SUMS and manifestHash is caught by the signature", async () => {
    await exportSnapshot(exportDeps(a), original.id, file, a.stateDir);
    const staged = await archives.stage(file, work);
    const forged = join(work, "forged.tar");
    try {
      const { manifestHash: _old, ...rest } = staged.manifest;
      const body = { ...rest, reason: "edited" };
      const manifest = { ...body, manifestHash: manifestHashOf(body) } as SnapshotManifest;
      // Re-signed by the attacker's own key: an unknown key, and the hash is pinned nowhere.
      const evil = await openEd25519Signer(join(work, "evil"));
      const header = {
        ...staged.header,
        manifestHash: manifest.manifestHash,
        signature: { ...staged.header.signature, keyId: evil.keyId, sig: evil.sign("x") },
      };
      await archives.write(forged, { header, manifest, dataDir: staged.dataDir });
    } finally {
      await staged.discard();
    }
    expect(
      await verifyArchive({ archives, signer: a.signer, ledger: a.ledger }, forged),
    ).toMatchObject({
      ok: false,
      problems: [{ entry: "shipsafe-archive.json", rule: "untrusted" }],
    });
    const before = await readdir(a.stateDir, { recursive: true });
    await expect(importSnapshot(importDeps(a), forged)).rejects.toMatchObject({
      code: "ARCHIVE_REJECTED",
      kind: "refused",
      problems: [{ path: "untrusted" }],
    });
    expect(await readdir(a.stateDir, { recursive: true })).toEqual(before);
    // The same snapshot id with another manifest hash is refused by the store as well.
    await expect(
      a.store.adopt({ ...original, reason: "x", manifestHash: "0".repeat(64) }, work),
    ).rejects.toMatchObject({ code: "SNAPSHOT_MANIFEST_INVALID" });
  });

  it("trusts an unknown key when the manifest hash is pinned in the ledger", async () => {
    await exportSnapshot(exportDeps(a), original.id, file, a.stateDir);
    // B has never seen A's key, but its ledger recorded the snapshot (e.g. a shared ledger).
    await b.record({
      kind: "snapshot.created",
      subject: original.id,
      data: { size: original.size },
      evidence: original as never,
    });
    const result = await verifyArchive(
      { archives, signer: b.signer, ledger: b.ledger, evidence: b.evidence },
      file,
    );
    expect(result).toMatchObject({ ok: true, trustedBy: "ledger-pin", ledgerSeq: 1 });
    const imported = await importSnapshot(importDeps(b), file);
    expect(imported.trustedBy).toBe("ledger-pin");
  });

  it("adopt refuses an id that exists with another manifest hash (SNAPSHOT_EXISTS)", async () => {
    const scratch = await archives.scratch(work);
    try {
      await a.store.materialize(original.id, scratch.dir);
      const { manifestHash: _old, ...rest } = original;
      const body = { ...rest, reason: "other" };
      const other = { ...body, manifestHash: manifestHashOf(body) };
      await expect(a.store.adopt(other as SnapshotManifest, scratch.dir)).rejects.toMatchObject({
        code: "SNAPSHOT_EXISTS",
        kind: "refused",
      });
      expect(await a.store.adopt(original, scratch.dir)).toEqual(original);
      // Adopted fresh into B from the materialized directory alone.
      expect(await b.store.adopt(original, scratch.dir)).toEqual(original);
      expect((await b.store.verify(original.id)).ok).toBe(true);
      // A damaged materialized file never becomes a snapshot.
      const c = await side(join(work, "c"));
      await writeFile(join(scratch.dir, "uploads/uploads/2026/a.txt"), "tampered\n");
      await expect(c.store.adopt(original, scratch.dir)).rejects.toMatchObject({
        code: "SNAPSHOT_CORRUPT",
      });
      expect(await c.store.list()).toEqual([]);
      expect(await readdir(join(c.stateDir, "snapshots"))).toEqual([]);
    } finally {
      await scratch.discard();
    }
  });
});

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { type CliRun, shipsafe } from "../helpers/shipsafe-cli.js";

/** Portable archives through the built CLI: export, backup verify, import into a fresh state dir. */
describe("snapshot export | import and backup verify (built CLI)", () => {
  let ws: DemoWorkspace;
  let snapshotId: string;
  let archive: string;
  let other: string;
  const run = (args: string[]): Promise<CliRun> =>
    shipsafe(["--config", ws.configFile, ...args], { cwd: ws.dir });
  const json = async (args: string[]) => {
    const r = await run(["--json", ...args]);
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    const db = new Database(ws.database);
    db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, qty INTEGER)");
    db.exec("INSERT INTO orders (item, qty) VALUES ('a', 1), ('b', 2), ('c', 3)");
    db.close();
    const created = await json(["snapshot", "create", "--reason", "archive-test"]);
    expect(created.code, created.stderr).toBe(0);
    snapshotId = created.doc.id;
    archive = join(ws.dir, "snap.tar");
    other = join(ws.dir, "other-state");
  }, 60_000);

  afterAll(async () => {
    await rm(ws.dir, { recursive: true, force: true });
  });

  it("exports a signed archive, records it, and refuses to overwrite a file", async () => {
    const exported = await json(["snapshot", "export", snapshotId, "--out", "snap.tar"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.doc).toMatchObject({ snapshotId, file: archive });
    expect(exported.doc.sha256).toMatch(/^[0-9a-f]{64}$/);
    const tail = await json(["audit", "tail", "-n", "2"]);
    expect(tail.doc.entries.map((e: { kind: string }) => e.kind)).toContain("snapshot.exported");
    const again = await run(["snapshot", "export", snapshotId, "--out", "snap.tar"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("ARCHIVE_EXISTS");
  });

  it("backup verify passes by signature, and fails naming the entry of a flipped byte", async () => {
    const verified = await json(["backup", "verify", archive]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.doc).toMatchObject({ ok: true, trustedBy: "signature", snapshotId });

    const bytes = await readFile(archive);
    const at = bytes.indexOf("SQLite format 3");
    expect(at).toBeGreaterThan(0);
    bytes[at + 200] = (bytes[at + 200] ?? 0) ^ 0x01;
    await writeFile(join(ws.dir, "flipped.tar"), bytes);
    const bad = await json(["backup", "verify", "flipped.tar"]);
    expect(bad.code).toBe(1);
    expect(bad.doc.ok).toBe(false);
    expect(bad.doc.problems[0]).toMatchObject({ rule: "checksum-mismatch" });
    expect(bad.doc.problems[0].entry).toMatch(/^data\/orders\//);
    const human = await run(["backup", "verify", "flipped.tar"]);
    expect(human.code).toBe(1);
    expect(human.stdout + human.stderr).toMatch(/data\/orders\/.*checksum-mismatch/);
  });

  it("imports into a fresh state dir only once the exporting key is trusted; the copy restores", async () => {
    const untrusted = await json(["--state-dir", other, "backup", "verify", archive]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.doc.problems[0]).toMatchObject({ rule: "untrusted" });

    const refused = await run(["--state-dir", other, "snapshot", "import", archive]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("ARCHIVE_REJECTED");

    const key = await json(["audit", "key"]);
    await mkdir(join(other, "keys", "trusted"), { recursive: true });
    await writeFile(join(other, "keys", "trusted", "origin.pem"), key.doc.publicKeyPem);
    const imported = await json(["--state-dir", other, "snapshot", "import", archive]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.doc).toMatchObject({ trustedBy: "signature", manifest: { id: snapshotId } });
    const again = await json(["--state-dir", other, "snapshot", "import", archive]);
    expect(again.code, again.stderr).toBe(0);

    const original = await json(["snapshot", "show", snapshotId]);
    const copy = await json(["--state-dir", other, "snapshot", "show", snapshotId]);
    expect(copy.doc).toEqual(original.doc);
    expect((await json(["--state-dir", other, "snapshot", "verify", snapshotId])).code).toBe(0);
    const drill = await json(["--state-dir", other, "restore", "drill", snapshotId]);
    expect(drill.code, drill.stderr).toBe(0);
    expect(drill.doc.passed).toBe(true);
    const tail = await json(["--state-dir", other, "audit", "tail", "-n", "5"]);
    expect(tail.doc.entries.map((e: { kind: string }) => e.kind)).toContain("snapshot.imported");
    expect((await json(["--state-dir", other, "audit", "verify"])).code).toBe(0);
  });

  it("a hostile archive is refused by import (exit 4) and by backup verify (exit 1)", async () => {
    const block = Buffer.alloc(512);
    block.write("../escape", 0);
    block.write("0000644\0", 100);
    block.write("00000000001\0", 124);
    block.write("0", 156);
    block.write("ustar\0", 257);
    block.write("00", 263);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
    block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    const data = Buffer.alloc(512);
    data.write("x");
    await writeFile(join(ws.dir, "hostile.tar"), Buffer.concat([block, data, Buffer.alloc(1024)]));
    const verify = await json(["backup", "verify", "hostile.tar"]);
    expect(verify.code).toBe(1);
    expect(verify.doc.problems[0]).toMatchObject({ entry: "../escape", rule: "path-traversal" });
    const imported = await run(["snapshot", "import", "hostile.tar"]);
    expect(imported.code).toBe(4);
    expect(imported.stderr).toMatch(/ARCHIVE_REJECTED[\s\S]*path-traversal/);
    await expect(readFile(join(ws.dir, ".shipsafe", "escape"))).rejects.toThrow();
  });
});

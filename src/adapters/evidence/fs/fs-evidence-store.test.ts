import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isShipsafeError } from "../../../domain/errors.js";
import type { EvidenceStore } from "../../../ports/evidence-store.js";
import { openFsEvidenceStore } from "./fs-evidence-store.js";

describe("openFsEvidenceStore", () => {
  let stateDir: string;
  let store: EvidenceStore;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "shipsafe-evidence-"));
    store = await openFsEvidenceStore(stateDir);
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it("stores canonical JSON under its sha256 and reads it back", async () => {
    const hash = await store.put({ b: [1, "x"], a: { z: null, y: true } });
    const canonical = '{"a":{"y":true,"z":null},"b":[1,"x"]}';
    expect(hash).toBe(createHash("sha256").update(canonical).digest("hex"));
    const file = join(stateDir, "evidence", hash.slice(0, 2), `${hash}.json`);
    expect(await readFile(file, "utf8")).toBe(canonical);
    expect(await store.get(hash)).toEqual({ a: { y: true, z: null }, b: [1, "x"] });
  });

  it("is idempotent and leaves no temp files", async () => {
    const [a, b] = await Promise.all([store.put({ k: 1 }), store.put({ k: 1 })]);
    expect(a).toBe(b);
    expect(await store.put({ k: 1 })).toBe(a);
    expect(await store.list()).toEqual([a]);
    expect(await readdir(join(stateDir, "evidence", a.slice(0, 2)))).toEqual([`${a}.json`]);
  });

  it("lists every stored hash", async () => {
    const hashes = await Promise.all([1, 2, 3].map((n) => store.put({ n })));
    expect(await store.list()).toEqual([...hashes].sort());
  });

  it("returns undefined for unknown or malformed hashes", async () => {
    expect(await store.get("a".repeat(64))).toBeUndefined();
    expect(await store.get("../../etc/passwd")).toBeUndefined();
  });

  it("throws EVIDENCE_CORRUPT when a document was altered", async () => {
    const hash = await store.put({ passed: false });
    await writeFile(
      join(stateDir, "evidence", hash.slice(0, 2), `${hash}.json`),
      '{"passed":true}',
    );
    const error = await store.get(hash).catch((e: unknown) => e);
    expect(isShipsafeError(error) && [error.code, error.kind]).toEqual([
      "EVIDENCE_CORRUPT",
      "runtime",
    ]);
  });
});

import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson } from "../../../domain/canonical-json.js";
import { ShipsafeError } from "../../../domain/errors.js";
import type { JsonValue } from "../../../domain/model/json.js";
import type { EvidenceStore } from "../../../ports/evidence-store.js";

const HASH = /^[0-9a-f]{64}$/;

/**
 * Content-addressed evidence documents: `<stateDir>/evidence/<first 2 hex>/<sha256>.json`, each
 * the canonical JSON whose sha256 is its name. Written tmp + fsync + rename, so a reader never sees
 * a partial document.
 */
export async function openFsEvidenceStore(stateDir: string): Promise<EvidenceStore> {
  const root = join(stateDir, "evidence");
  await mkdir(root, { recursive: true, mode: 0o700 });
  const pathOf = (hash: string) => join(root, hash.slice(0, 2), `${hash}.json`);

  return {
    async put(document) {
      const text = canonicalJson(document);
      const hash = sha256(text);
      const file = pathOf(hash);
      if (await exists(file)) return hash;
      await mkdir(join(root, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
      await writeDurably(file, text);
      return hash;
    },

    async get(hash) {
      if (!HASH.test(hash)) return undefined;
      const file = pathOf(hash);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      const actual = sha256(text);
      if (actual !== hash) throw corrupt(file, hash, `its content hashes to ${actual}`);
      try {
        return JSON.parse(text) as JsonValue;
      } catch (cause) {
        throw corrupt(file, hash, "it is not JSON", cause);
      }
    },

    async list() {
      const hashes: string[] = [];
      for (const prefix of (await readdir(root)).sort()) {
        if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
        for (const name of (await readdir(join(root, prefix))).sort()) {
          const hash = name.slice(0, -".json".length);
          if (name.endsWith(".json") && HASH.test(hash) && hash.startsWith(prefix))
            hashes.push(hash);
        }
      }
      return hashes;
    },
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

async function exists(file: string): Promise<boolean> {
  try {
    await (await open(file, "r")).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // Same content under the same name: a concurrent writer of the same document is harmless.
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

function corrupt(file: string, hash: string, why: string, cause?: unknown): ShipsafeError {
  return new ShipsafeError(
    {
      code: "EVIDENCE_CORRUPT",
      kind: "runtime",
      message: `evidence document ${file} was altered: ${why}, not ${hash}`,
      hint: "restore the evidence directory from backup; run `shipsafe audit verify` to list affected entries",
    },
    cause === undefined ? undefined : { cause },
  );
}

import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ArchiveHeader } from "../../ports/snapshot-archive.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import { syncDir } from "../state/files/durable-copy.js";
import { resolveInside } from "../state/files/file-tree.js";
import {
  dataEntryName,
  formatSums,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  SUMS_ENTRY,
} from "./archive-format.js";
import { TarWriter } from "./tar-writer.js";

/**
 * Writes a shipsafe archive of the materialized snapshot in `dataDir` (`<asset>/<path>`) to
 * `<file>.tmp-<rand>`, fsyncs it and renames it to `file`. Each data file is hashed as it is
 * written and must match the manifest, so the archive never carries bytes its SHA256SUMS deny.
 */
export async function writeArchive(
  file: string,
  contents: { header: ArchiveHeader; manifest: SnapshotManifest; dataDir: string },
): Promise<{ sha256: string; bytes: number }> {
  const { header, manifest, dataDir } = contents;
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${randomBytes(6).toString("hex")}`);
  const out = await open(tmp, "wx", 0o600);
  try {
    const mtime = Math.floor(Date.parse(header.createdAt) / 1000) || 0;
    const tar = new TarWriter(out, mtime);
    await tar.file(HEADER_ENTRY, json(header));
    await tar.file(MANIFEST_ENTRY, json(manifest));
    await tar.file(SUMS_ENTRY, Buffer.from(formatSums(manifest), "utf8"));
    for (const asset of manifest.assets) {
      for (const f of asset.files) {
        const name = dataEntryName(asset.name, f.path);
        const source = resolveInside(join(dataDir, asset.name), f.path);
        await tar.beginFile(name, f.size);
        const hash = createHash("sha256");
        let size = 0;
        for await (const chunk of createReadStream(source)) {
          const bytes = chunk as Buffer;
          size += bytes.length;
          if (size > f.size) break;
          hash.update(bytes);
          await tar.write(bytes);
        }
        if (size !== f.size || hash.digest("hex") !== f.sha256) {
          throw new Error(
            `${name} changed while it was archived (the manifest says ${f.size} bytes, ${f.sha256})`,
          );
        }
        await tar.endFile(f.size);
      }
    }
    await tar.end();
    await out.sync();
    await out.close();
    await rename(tmp, file);
    await syncDir(dirname(file));
    return { sha256: tar.digest(), bytes: tar.bytes };
  } catch (error) {
    await out.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
}

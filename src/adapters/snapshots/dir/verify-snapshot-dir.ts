import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotVerification } from "../../../ports/snapshot-store.js";
import { hashFile } from "../../state/files/durable-copy.js";
import { resolveInside } from "../../state/files/file-tree.js";
import { MANIFEST_FILE, parseManifest } from "./snapshot-manifest.js";

/** Re-hashes every file of the snapshot in `dir` against its manifest, collecting all problems. */
export async function verifySnapshotDir(dir: string, id: string): Promise<SnapshotVerification> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return { id, ok: false, problems: ["manifest.json is missing"] };
  }
  const { manifest, problems } = parseManifest(text);
  if (manifest === undefined) return { id, ok: false, problems };
  if (manifest.id !== id) problems.push(`manifest.json names snapshot ${manifest.id}, not ${id}`);

  let total = 0;
  for (const asset of manifest.assets) {
    let assetSize = 0;
    for (const file of asset.files) {
      const label = `${asset.name}/${file.path}`;
      let path: string;
      try {
        path = resolveInside(join(dir, asset.name), file.path);
      } catch {
        problems.push(`${label}: path escapes the snapshot`);
        continue;
      }
      assetSize += file.size;
      try {
        const actual = await hashFile(path);
        if (actual.size !== file.size) {
          problems.push(`${label}: ${actual.size} bytes, manifest says ${file.size}`);
        } else if (actual.sha256 !== file.sha256) {
          problems.push(`${label}: sha256 ${actual.sha256}, manifest says ${file.sha256}`);
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "EISDIR") throw error;
        problems.push(`${label}: missing`);
      }
    }
    if (assetSize !== asset.size) {
      problems.push(
        `${asset.name}: files add up to ${assetSize} bytes, manifest says ${asset.size}`,
      );
    }
    total += asset.size;
  }
  if (total !== manifest.size) {
    problems.push(`assets add up to ${total} bytes, manifest says ${manifest.size}`);
  }
  return { id, ok: problems.length === 0, problems };
}

import { createHash } from "node:crypto";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { ObjectStore } from "../../../ports/object-store.js";
import type { Progress } from "../../../ports/progress.js";
import type { AssetManifest } from "../../../ports/state-asset.js";
import type { ChunkLists, ChunkRef } from "./cas-documents.js";
import type { ChunkCodec } from "./chunk-codec.js";
import { chunkingFor, fileChunks } from "./file-chunks.js";

/**
 * Chunks every file of `assets` (already captured under `dir/<asset>/`) into the object store and
 * returns the chunk lists. New chunks are compressed and added; known ones only referenced. The
 * writer commits (packs durable and indexed) before this returns, or aborts on any error.
 */
export async function ingestCaptured(
  deps: { objects: ObjectStore; codec: ChunkCodec },
  dir: string,
  assets: readonly AssetManifest[],
  progress: Progress | undefined,
): Promise<ChunkLists> {
  const { objects, codec } = deps;
  const writer = await objects.writer();
  const lists: ChunkLists = {};
  const added = new Set<string>();
  try {
    for (const asset of assets) {
      const files: Record<string, ChunkRef[]> = {};
      lists[asset.name] = files;
      progress?.report({
        type: "step-started",
        step: `store ${asset.name}`,
        detail: `${asset.size} bytes`,
      });
      let done = 0;
      for (const file of asset.files) {
        const path = join(dir, asset.name, file.path);
        const refs: ChunkRef[] = [];
        const whole = createHash("sha256");
        for await (const chunk of fileChunks(path, await chunkingFor(path))) {
          whole.update(chunk);
          const id = codec.hash(chunk);
          if (!added.has(id) && !(await objects.has(id))) {
            await writer.add(id, codec.encode(chunk));
            added.add(id);
          }
          refs.push([id, chunk.length]);
          done += chunk.length;
          progress?.report({
            type: "bytes",
            step: `store ${asset.name}`,
            done,
            total: asset.size,
          });
        }
        if (whole.digest("hex") !== file.sha256) {
          throw new ShipsafeError({
            code: "SNAPSHOT_SOURCE_CHANGED",
            kind: "runtime",
            message: `${asset.name}/${file.path} changed while it was being stored`,
            hint: "take the snapshot again",
          });
        }
        files[file.path] = refs;
      }
      progress?.report({
        type: "step-finished",
        step: `store ${asset.name}`,
        status: "succeeded",
      });
    }
    await writer.commit();
    return lists;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

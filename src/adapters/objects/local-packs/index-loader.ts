import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type ErrorDetails, ShipsafeError } from "../../../domain/errors.js";
import { INDEX_FILE } from "./index-format.js";
import { IndexState, type IndexStateParts, loadIndexState } from "./index-state.js";

/**
 * Index files larger than this in all are loaded on a worker thread. Decoding a 1 GiB database's
 * 280,000 pages (11.3 MB of index) took 110-150 ms of the main thread at the start of an update's
 * snapshot, while both codec workers waited for blocks; a thread costs ~30 ms to start.
 */
const OFF_THREAD_FROM_BYTES = 1024 * 1024;

/** What the worker (index-loader-worker.ts) sends back. */
export type IndexLoaderReply =
  | { readonly parts: IndexStateParts }
  | {
      readonly error: {
        readonly message: string;
        readonly code?: string;
        /** Set when the error was a ShipsafeError (a damaged index file, say). */
        readonly details?: ErrorDetails;
      };
    };

/** The built worker script beside this module; none when run from sources (tests). */
export function builtIndexLoader(): URL | undefined {
  const url = new URL("./index-loader-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Reads every index file under `indexDir` (loadIndexState): on a worker thread from `workerUrl`
 * when the files are large, so the main thread goes on meanwhile; here otherwise.
 */
export async function loadIndex(
  indexDir: string,
  workerUrl: URL | undefined = builtIndexLoader(),
  offThreadFromBytes = OFF_THREAD_FROM_BYTES,
): Promise<IndexState> {
  if (workerUrl === undefined || (await indexBytes(indexDir)) < offThreadFromBytes) {
    return loadIndexState(indexDir);
  }
  const reply = await new Promise<IndexLoaderReply>((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: { indexDir } });
    worker.once("message", (message: IndexLoaderReply) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`index loader exited with code ${code}`)));
  });
  if ("parts" in reply) return IndexState.fromParts(reply.parts);
  const { error } = reply;
  if (error.details) throw new ShipsafeError(error.details);
  throw Object.assign(
    new Error(error.message),
    error.code === undefined ? {} : { code: error.code },
  );
}

/** The bytes of the index files under `indexDir` (a file gone meanwhile counts nothing). */
async function indexBytes(indexDir: string): Promise<number> {
  const names = (await readdir(indexDir)).filter((name) => INDEX_FILE.test(name));
  const sizes = await Promise.all(
    names.map((name) =>
      stat(join(indexDir, name)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

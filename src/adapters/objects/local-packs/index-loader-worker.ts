import { parentPort, workerData } from "node:worker_threads";
import { isShipsafeError } from "../../../domain/errors.js";
import type { IndexLoaderReply } from "./index-loader.js";
import { loadIndexState } from "./index-state.js";

// Loads a store's index on a worker thread (index-loader.ts) and hands the state back, its
// table's arrays moved rather than copied.

const { indexDir } = workerData as { indexDir: string };
let reply: IndexLoaderReply;
let moved: ArrayBuffer[] = [];
try {
  const parts = (await loadIndexState(indexDir)).toParts();
  const { table } = parts;
  reply = { parts };
  moved = [table.ids, table.pack, table.offset, table.length, table.crc, table.within, table.slots]
    .map((array) => array.buffer)
    .filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
} catch (error) {
  reply = isShipsafeError(error)
    ? {
        error: {
          message: error.message,
          details: {
            code: error.code,
            kind: error.kind,
            message: error.message,
            hint: error.hint,
            ...(error.location === undefined ? {} : { location: error.location }),
          },
        },
      }
    : {
        error: {
          message: error instanceof Error ? error.message : String(error),
          ...(typeof (error as { code?: unknown }).code === "string"
            ? { code: (error as { code: string }).code }
            : {}),
        },
      };
}
parentPort?.postMessage(reply, moved);

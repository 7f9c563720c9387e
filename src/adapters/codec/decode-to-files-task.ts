import { closeSync, constants, openSync, writeSync } from "node:fs";
import { decodeBlobInto } from "./blob-format.js";
import type { Codec } from "./codec.js";
import { type DecodeTaskResult, decodeScratch } from "./codec-task.js";

const ID_BYTES = 32;

/**
 * Stored frames to decode and the pieces wanted from them, each checked against its id (the hash
 * of its bytes) and written by this thread straight to its place in a file (positioned writes, so
 * tasks may run in any order and on any thread): a restore in the order frames are stored decodes
 * each frame once, wherever its pieces go.
 */
export interface DecodeToFilesTask {
  readonly kind: "decode-to-files";
  /** Stored frames back to back (a SharedArrayBuffer's view, or an ArrayBuffer moved and handed back). */
  readonly data: Uint8Array;
  /** End offset of each frame within `data`, ascending. */
  readonly frameEnds: readonly number[];
  /** Three u32 per piece, grouped by frame: frame index, offset in the decoded frame, length. */
  readonly pieces: Uint32Array;
  /** The pieces' expected ids, 32 bytes each, back to back. */
  readonly ids: Uint8Array;
  /** Two numbers per piece: the index of its file in `paths`, and its offset in that file. */
  readonly targets: Float64Array;
  /**
   * Files the pieces go to, created (mode 0600) if missing but never truncated: tasks writing other
   * parts of the same file may run at the same time on other threads.
   */
  readonly paths: readonly string[];
}

/**
 * Runs a decode-to-files task on this thread. Pieces that follow each other in a frame and in a
 * file (a database's pages stored in order) go out in one write. A piece that fails its check is
 * not written and is reported in `bad`; a write that fails (a full disk) throws.
 */
export function runDecodeToFilesTask(codec: Codec, task: DecodeToFilesTask): DecodeTaskResult {
  const { data, frameEnds, pieces, ids, targets, paths } = task;
  const bad: [number, string][] = [];
  const fds = new Map<number, number>();
  const fdOf = (file: number): number => {
    let fd = fds.get(file);
    if (fd === undefined) {
      fd = openSync(paths[file] as string, constants.O_WRONLY | constants.O_CREAT, 0o600);
      fds.set(file, fd);
    }
    return fd;
  };
  // The write being gathered: bytes [start, end) of the decoded frame to `file` at `position`.
  let run = { file: -1, position: 0, start: 0, end: 0 };
  let frameBytes: Uint8Array = new Uint8Array(0);
  const flush = (): void => {
    if (run.file < 0) return;
    let written = 0;
    const length = run.end - run.start;
    while (written < length) {
      written += writeSync(
        fdOf(run.file),
        frameBytes,
        run.start + written,
        length - written,
        run.position + written,
      );
    }
    run = { file: -1, position: 0, start: 0, end: 0 };
  };
  try {
    let current = -1;
    let failure: string | undefined;
    const count = pieces.length / 3;
    for (let index = 0; index < count; index++) {
      const frame = pieces[index * 3] as number;
      const within = pieces[index * 3 + 1] as number;
      const length = pieces[index * 3 + 2] as number;
      if (frame !== current) {
        flush(); // the frame's bytes are about to be replaced
        const start = frame === 0 ? 0 : (frameEnds[frame - 1] as number);
        try {
          frameBytes = decodeBlobInto(codec, data.subarray(start, frameEnds[frame]), decodeScratch);
          failure = undefined;
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
        }
        current = frame;
      }
      let problem = failure;
      if (problem === undefined && within + length > frameBytes.length) {
        problem = "its frame is too short";
      }
      if (problem === undefined) {
        codec.digestInto(frameBytes.subarray(within, within + length), digest, 0);
        if (!sameBytes(digest, ids, index * ID_BYTES)) problem = "its bytes do not match its hash";
      }
      if (problem !== undefined) {
        bad.push([index, problem]);
        continue;
      }
      const file = targets[index * 2] as number;
      const position = targets[index * 2 + 1] as number;
      if (
        run.file === file &&
        run.position + (run.end - run.start) === position &&
        run.end === within
      ) {
        run.end += length;
      } else {
        flush();
        run = { file, position, start: within, end: within + length };
      }
    }
    flush();
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return { data, bad };
}

/** This thread's buffer for a piece's digest, compared with its id in binary (no hex made). */
const digest = new Uint8Array(64);

/** Whether the first ID_BYTES of `a` equal the ID_BYTES of `b` at `at`. */
function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let k = 0; k < ID_BYTES; k++) if (a[k] !== b[at + k]) return false;
  return true;
}

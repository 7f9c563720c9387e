// The body of a codec pool worker: builds one codec and runs the tasks it is sent, in order.
import { parentPort, workerData } from "node:worker_threads";
import { type CodecOptions, createCodec } from "./codec.js";
import { type CodecTask, type DecodeTask, runCodecTask, runDecodeTask } from "./codec-task.js";
import { type DecodeToFilesTask, runDecodeToFilesTask } from "./decode-to-files-task.js";
import { packBlobs, type WorkerReply } from "./worker-messages.js";

const port = parentPort;
if (!port) throw new Error("codec-worker.js runs only as a worker thread");
const codec = createCodec((workerData as { codec: CodecOptions }).codec);

port.on(
  "message",
  ({ id, task }: { id: number; task: CodecTask | DecodeTask | DecodeToFilesTask }) => {
    let reply: WorkerReply;
    try {
      if (task.kind === "decode" || task.kind === "decode-to-files") {
        const decoded =
          task.kind === "decode" ? runDecodeTask(codec, task) : runDecodeToFilesTask(codec, task);
        reply = { id, decoded };
        const shared = decoded.data.buffer instanceof SharedArrayBuffer;
        port.postMessage(reply, shared ? [] : [decoded.data.buffer as ArrayBuffer]);
        return;
      }
      const result = runCodecTask(codec, task);
      // Frames encoded into `out` (or the larger buffer that replaced it), or in place in `data`.
      const moving = task.framing === "frames" ? result.compressed[0]?.buffer : result.data.buffer;
      const packed = packBlobs(result.compressed, moving);
      reply = { id, data: result.data, ids: result.ids, ...packed };
      if (result.streamDigest !== undefined)
        reply = { ...reply, streamDigest: result.streamDigest };
      if (result.cuts !== undefined) reply = { ...reply, cuts: [...result.cuts] };
      if (result.frameStarts !== undefined) {
        reply = { ...reply, frameStarts: [...result.frameStarts] };
      }
      // Shared buffers (a SharedArrayBuffer block) are not moved: the caller has them already.
      const transfer = [packed.packed.buffer, result.data.buffer, result.ids.buffer].filter(
        (buffer, i, all): buffer is ArrayBuffer =>
          buffer instanceof ArrayBuffer && all.indexOf(buffer) === i,
      );
      port.postMessage(reply, transfer);
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      reply = {
        id,
        error: error instanceof Error ? error.message : String(error),
        ...(typeof code === "string" ? { code } : {}),
      };
      port.postMessage(reply);
    }
  },
);

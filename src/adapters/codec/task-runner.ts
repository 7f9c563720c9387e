import type { Codec } from "./codec.js";
import type { CodecPool } from "./codec-pool.js";
import { type CodecTask, type DecodeTask, runCodecTask, runDecodeTask } from "./codec-task.js";
import { type DecodeToFilesTask, runDecodeToFilesTask } from "./decode-to-files-task.js";

/** Where codec tasks run: a worker pool, or this thread (small jobs, tests, no workers). */
export type TaskRunner = Pick<CodecPool, "submit" | "close">;

/** Runs every task on this thread as it is submitted; the task's data is not moved or copied. */
export function inlineTaskRunner(codec: Codec): TaskRunner {
  const run = (task: CodecTask | DecodeTask | DecodeToFilesTask) =>
    task.kind === "decode"
      ? runDecodeTask(codec, task)
      : task.kind === "decode-to-files"
        ? runDecodeToFilesTask(codec, task)
        : runCodecTask(codec, task);
  const submit = async (task: CodecTask | DecodeTask | DecodeToFilesTask) => ({
    result: Promise.resolve(run(task)),
  });
  return { submit: submit as TaskRunner["submit"], close: async () => undefined };
}

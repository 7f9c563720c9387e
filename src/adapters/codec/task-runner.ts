import type { Codec } from "./codec.js";
import type { CodecPool } from "./codec-pool.js";
import { type CodecTask, type DecodeTask, runCodecTask, runDecodeTask } from "./codec-task.js";

/** Where codec tasks run: a worker pool, or this thread (small jobs, tests, no workers). */
export type TaskRunner = Pick<CodecPool, "submit" | "close">;

/** Runs every task on this thread as it is submitted; the task's data is not moved or copied. */
export function inlineTaskRunner(codec: Codec): TaskRunner {
  const submit = async (task: CodecTask | DecodeTask) => ({
    result: Promise.resolve(
      task.kind === "decode" ? runDecodeTask(codec, task) : runCodecTask(codec, task),
    ),
  });
  return { submit: submit as TaskRunner["submit"], close: async () => undefined };
}

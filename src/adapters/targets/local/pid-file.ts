import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { targetErrors } from "./target-errors.js";

/** What `<root>/run/service.pid` records about the process shipsafe started. */
export interface PidRecord {
  readonly pid: number;
  readonly version: string;
  readonly startedAt: string;
}

export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (cause) {
    throw targetErrors.pidFileInvalid(file, cause);
  }
  const { pid, version, startedAt } = (record ?? {}) as Record<string, unknown>;
  // pid 0 and 1 would make a group signal hit shipsafe's own group or every process.
  if (
    !Number.isSafeInteger(pid) ||
    (pid as number) < 2 ||
    typeof version !== "string" ||
    typeof startedAt !== "string"
  ) {
    throw targetErrors.pidFileInvalid(file);
  }
  return { pid: pid as number, version, startedAt };
}

/** Writes the pid file whole (tmp + rename), so a reader never sees half a record. */
export async function writePidFile(file: string, record: PidRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record)}\n`);
  await rename(tmp, file);
}

export async function removePidFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

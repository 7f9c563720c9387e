import { readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { processAlive } from "../../local-fs/process-alive.js";

export const TMP_PREFIX = ".tmp-";
export const PID_FILE = ".pid";
const STALE_AFTER_MS = 60 * 60 * 1000;

/** What goes in `<tmp>/.pid`: the creating process, so a later `list` can tell it died. */
export function pidFileText(): string {
  return `${process.pid}\n${hostname()}\n`;
}

/**
 * Removes a snapshot left half-built by a process that died: older than an hour and its creator
 * is not running on this host. A creator on another host (a shared state dir) is never presumed
 * dead. Returns whether it removed the directory.
 */
export async function removeIfStale(tmpDir: string, now: Date): Promise<boolean> {
  let modified: Date;
  try {
    modified = (await stat(tmpDir)).mtime;
  } catch {
    return false;
  }
  if (now.getTime() - modified.getTime() < STALE_AFTER_MS) return false;
  let text = "";
  try {
    text = await readFile(join(tmpDir, PID_FILE), "utf8");
  } catch {
    // No pid file: the creator died between mkdir and writing it.
  }
  const [pid, host] = text.split("\n");
  if (pid !== undefined && pid !== "") {
    if (host !== hostname()) return false;
    if (processAlive(Number(pid))) return false;
  }
  await rm(tmpDir, { recursive: true, force: true });
  return true;
}

import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { targetErrors } from "./target-errors.js";

const POLL_MS = 50;
const AFTER_KILL_MS = 5_000;

/**
 * True while the process group led by `pid` has a live member. shipsafe starts services detached,
 * so the service leads its own group; a recycled pid that leads no group reads as "not running".
 * Zombies do not count: under a container init that reaps slowly (or never), an exited service
 * would otherwise look alive.
 */
export async function groupAlive(pid: number): Promise<boolean> {
  try {
    process.kill(-pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return (await liveMembersOnLinux(pid)) ?? true;
}

/** SIGTERM to the whole group, up to `graceMs` to exit, then SIGKILL; resolves once it is gone. */
export async function stopGroup(pid: number, graceMs: number): Promise<"exited" | "killed"> {
  if (!signal(pid, "SIGTERM")) return "exited";
  if (await waitGone(pid, graceMs)) return "exited";
  if (!signal(pid, "SIGKILL")) return "killed";
  if (await waitGone(pid, AFTER_KILL_MS)) return "killed";
  throw targetErrors.stopFailed(pid, graceMs);
}

/** Signals the group; false when it no longer exists. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (await groupAlive(pid)) {
    if (performance.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** Whether group `pgid` has a member that is not a zombie; undefined without Linux's /proc. */
async function liveMembersOnLinux(pgid: number): Promise<boolean | undefined> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

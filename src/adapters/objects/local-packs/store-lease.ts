import { randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ShipsafeError } from "../../../domain/errors.js";
import { processAlive } from "../../local-fs/process-alive.js";

/**
 * The rule between writers and prune (documented in docs/object-store.md):
 * - a writer creates `leases/<pid>-<rand>` and then looks at `lock`; while a live prune holds it,
 *   the writer withdraws its lease and waits;
 * - prune creates `lock` (O_EXCL) and then looks at `leases/`; any live lease makes it refuse.
 * Each side writes its own file before reading the other's, so at least one of them sees the other.
 * A holder on this host is live while its pid runs; a holder on another host while its file is
 * younger than `ttlMs` (it cannot be probed).
 */
export const LOCK_FILE = "lock";
export const LEASES_DIR = "leases";
export const DEFAULT_LEASE_TTL_MS = 24 * 60 * 60 * 1000;

export interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly at: string;
}

export interface LeaseRules {
  readonly ttlMs: number;
  readonly lockWaitMs: number;
  readonly now: () => Date;
  readonly isAlive: (pid: number) => boolean;
}

export interface Held {
  release(): Promise<void>;
}

/** Registers a writer's lease, waiting (up to `lockWaitMs`) while a prune holds the lock. */
export async function takeLease(dir: string, rules: LeaseRules): Promise<Held> {
  const leases = join(dir, LEASES_DIR);
  await mkdir(leases, { recursive: true, mode: 0o700 });
  const path = join(leases, `${process.pid}-${randomBytes(6).toString("hex")}`);
  const deadline = Date.now() + rules.lockWaitMs;
  for (;;) {
    await writeFile(path, holderText(rules.now()), { flag: "wx", mode: 0o600 });
    const pruner = await readHolder(join(dir, LOCK_FILE));
    if (pruner === undefined || !isLive(pruner, await mtimeOf(join(dir, LOCK_FILE)), rules)) {
      return { release: () => rm(path, { force: true }) };
    }
    await rm(path, { force: true });
    if (Date.now() >= deadline) throw busy(dir, "a prune holds the store lock", [pruner]);
    await sleep(100);
  }
}

/** Takes the store's exclusive lock for prune; refuses while another prune or any writer is live. */
export async function takeLock(dir: string, rules: LeaseRules): Promise<Held> {
  const path = join(dir, LOCK_FILE);
  const text = holderText(rules.now());
  try {
    await writeFile(path, text, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    await takeOverStale(path, rules);
    await writeFile(path, text, { flag: "wx", mode: 0o600 });
  }
  const held = { release: () => rm(path, { force: true }) };
  const live = await liveLeases(dir, rules);
  if (live.length > 0) {
    await held.release();
    throw busy(dir, `${live.length} writer(s) hold a lease`, live);
  }
  return held;
}

/** The live writers' leases; stale ones are removed on the way. */
export async function liveLeases(dir: string, rules: LeaseRules): Promise<Holder[]> {
  const leases = join(dir, LEASES_DIR);
  const live: Holder[] = [];
  let names: string[];
  try {
    names = await readdir(leases);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  for (const name of names) {
    const path = join(leases, name);
    const holder = await readHolder(path);
    if (holder === undefined) continue;
    if (isLive(holder, await mtimeOf(path), rules)) live.push(holder);
    else await rm(path, { force: true });
  }
  return live;
}

/** Moves a dead prune's lock aside; refuses when the holder is live or someone else took over. */
async function takeOverStale(path: string, rules: LeaseRules): Promise<void> {
  const holder = await readHolder(path);
  if (holder !== undefined && isLive(holder, await mtimeOf(path), rules)) {
    throw busy(path, "another prune holds the store lock", [holder]);
  }
  const aside = `${path}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readHolder(aside);
  if (holder !== undefined && moved !== undefined && !sameHolder(holder, moved)) {
    // Another process took over between our read and our rename: put its lock back.
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    throw busy(path, "another prune holds the store lock", [moved]);
  }
  await rm(aside, { force: true });
}

function isLive(holder: Holder, mtime: Date | undefined, rules: LeaseRules): boolean {
  if (holder.host === hostname()) return rules.isAlive(holder.pid);
  const at = mtime ?? new Date(holder.at);
  return rules.now().getTime() - at.getTime() < rules.ttlMs;
}

function sameHolder(a: Holder, b: Holder): boolean {
  return a.pid === b.pid && a.host === b.host && a.at === b.at;
}

function holderText(now: Date): string {
  return `${process.pid}\n${hostname()}\n${now.toISOString()}\n`;
}

/** A holder file's content; undefined when it is gone. A half-written one reads as pid 0 (dead). */
async function readHolder(path: string): Promise<Holder | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const [pid = "", host = "", at = ""] = text.split("\n");
  return { pid: Number(pid) || 0, host: host || hostname(), at };
}

async function mtimeOf(path: string): Promise<Date | undefined> {
  try {
    return (await stat(path)).mtime;
  } catch {
    return undefined;
  }
}

function busy(path: string, why: string, holders: readonly Holder[]): ShipsafeError {
  const who = holders.map((h) => `pid ${h.pid} on ${h.host} since ${h.at}`).join(", ");
  return new ShipsafeError({
    code: "OBJECT_STORE_BUSY",
    kind: "refused",
    message: `object store ${path} is busy: ${why} (${who})`,
    hint: "wait for the running snapshot or prune to finish and try again; a holder whose process has died is ignored automatically",
    location: path,
  });
}

export { processAlive };

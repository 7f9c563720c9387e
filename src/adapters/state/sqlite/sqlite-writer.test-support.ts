import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";

const root = resolve(import.meta.dirname, "../../../..");
const BETTER_SQLITE3 = join(root, "node_modules/better-sqlite3");

// Inserts rows into `events` one transaction at a time until killed, like an application that
// keeps writing.
const WRITER = `
const Database = require(process.argv[1]);
const fs = require("node:fs");
const db = new Database(process.argv[2], { timeout: 10000 });
const insert = db.prepare("INSERT INTO events (body) VALUES (?)");
const pause = new Int32Array(new SharedArrayBuffer(4));
let i = 0;
for (;;) {
  insert.run("event " + i++);
  if (i === 50) fs.writeFileSync(process.argv[3], "");
  // A breath now and then, as a real application takes, so readers are not starved.
  if (i % 20 === 0) Atomics.wait(pause, 0, 0, 1);
}
`;

const writers: ChildProcess[] = [];

/** Starts a process writing into `live`'s events table; resolves once it has written 50 rows. */
export async function startWriter(live: string, work: string): Promise<ChildProcess> {
  const ready = join(work, "writer-ready");
  const child = spawn(process.execPath, ["-e", WRITER, BETTER_SQLITE3, live, ready], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  writers.push(child);
  while (!existsSync(ready)) await sleep(5);
  return child;
}

/** Kills every writer started (for afterEach). */
export function stopWriters(): void {
  for (const child of writers.splice(0)) child.kill("SIGKILL");
}

export function countEvents(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT count(*) FROM events").pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A copy's `integrity_check` result and its events row count. */
export function inspectCopy(path: string): { integrity: string; events: number } {
  const copy = new Database(path, { readonly: true });
  try {
    return {
      integrity: copy.pragma("integrity_check", { simple: true }) as string,
      events: copy.prepare("SELECT count(*) FROM events").pluck().get() as number,
    };
  } finally {
    copy.close();
  }
}

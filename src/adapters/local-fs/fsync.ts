import { open } from "node:fs/promises";

/**
 * fsyncs a file, or a directory so that renames and new entries in it survive a power loss. The
 * one fsync helper of the local adapters (pack store, snapshot documents, restores, archives).
 */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

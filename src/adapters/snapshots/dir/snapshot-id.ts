import { randomBytes } from "node:crypto";

/** `snap-20261124T203000Z-1a2b3c`: sorts by creation time, unique through the random suffix. */
export const SNAPSHOT_ID = /^snap-\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function newSnapshotId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `snap-${stamp}-${randomBytes(3).toString("hex")}`;
}

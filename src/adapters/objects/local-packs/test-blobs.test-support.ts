import { createHash, randomBytes } from "node:crypto";

export interface TestBlob {
  readonly id: string;
  readonly data: Buffer;
}

/** A blob of random bytes under the sha256 of its content, as the snapshot layer would add it. */
export function randomBlob(size: number): TestBlob {
  const data = randomBytes(size);
  return { id: createHash("sha256").update(data).digest("hex"), data };
}

export function blobOf(data: Buffer): TestBlob {
  return { id: createHash("sha256").update(data).digest("hex"), data };
}

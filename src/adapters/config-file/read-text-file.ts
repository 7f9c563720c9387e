import { readFile } from "node:fs/promises";
import { ShipsafeError } from "../../domain/errors.js";

export interface ReadFailure {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

/**
 * Reads a UTF-8 file, turning "missing" and "unreadable" into config errors. Errors name the file,
 * never its content (an env file holds secrets).
 */
export async function readTextFile(
  path: string,
  failures: { missing: ReadFailure; unreadable: ReadFailure },
): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    const failure = missing ? failures.missing : failures.unreadable;
    throw new ShipsafeError({ ...failure, kind: "config" }, { cause });
  }
}

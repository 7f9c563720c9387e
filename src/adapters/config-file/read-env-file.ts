import { parse } from "dotenv";
import { readTextFile } from "./read-text-file.js";

/** Reads a dotenv-format env file. Its values are secrets. */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const text = await readTextFile(path, {
    missing: {
      code: "ENV_FILE_NOT_FOUND",
      message: `env file ${path} does not exist`,
      hint: "check the --env-file path (it is relative to the current directory)",
    },
    unreadable: {
      code: "ENV_FILE_UNREADABLE",
      message: `cannot read env file ${path}`,
      hint: "check the file's permissions",
    },
  });
  return parse(text);
}

import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { JsonObject } from "../../../domain/model/json.js";
import type { Logger, LogLevel } from "../../../ports/logger.js";

export interface TextRedactor {
  redactText(text: string): string;
}

/**
 * Appends one JSON line per event to a log file. Every line passes the redactor before it is
 * written, so a secret handed to the logger never reaches the disk.
 */
export function createJsonlFileLogger(
  file: string,
  redactor: TextRedactor,
  context: { pid: number; command: string },
  component = "shipsafe",
): Logger {
  let ready = false;
  const write = (line: string): void => {
    if (!ready) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      ready = true;
    }
    appendFileSync(file, `${redactor.redactText(line)}\n`, { mode: 0o600 });
  };
  const make = (scope: string): Logger => ({
    log(level: LogLevel, message: string, fields?: JsonObject) {
      const event = { at: new Date().toISOString(), level, component: scope, ...context, message };
      write(JSON.stringify(fields ? { ...event, fields } : event));
    },
    child(name: string) {
      return make(`${scope}.${name}`);
    },
  });
  return make(component);
}

import type { JsonObject } from "../domain/model/json.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** One structured logger, scoped per component; the adapter redacts at the boundary. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: JsonObject): void;
  child(component: string): Logger;
}

export const silentLogger: Logger = {
  log() {},
  child() {
    return silentLogger;
  },
};

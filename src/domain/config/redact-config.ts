import type { JsonValue } from "../model/json.js";
import { createRedactor, MASK, type Redactor } from "../redaction.js";
import { formatPath } from "./source-positions.js";
import type { LoadedConfig } from "./types.js";

/** The redactor for everything a run with this config prints, logs or records. */
export function redactorForConfig(loaded: LoadedConfig): Redactor {
  return createRedactor(loaded.secretValues);
}

/** The resolved config as JSON with every secret value replaced by `***` (safe to print). */
export function redactConfig(loaded: LoadedConfig): JsonValue {
  const secretPaths = new Set(loaded.secretPaths);
  const redactor = redactorForConfig(loaded);
  const visit = (node: unknown, path: (string | number)[]): JsonValue => {
    if (typeof node === "string") {
      const redacted = redactor.redactText(node);
      // Keep the non-secret parts (a URL's host, say) readable; mask whole what cannot be split.
      if (secretPaths.has(formatPath(path)) && redacted === node) return MASK;
      return redacted;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of Object.entries(node)) {
        if (item !== undefined) out[key] = visit(item, [...path, key]);
      }
      return out;
    }
    if (typeof node === "number" || typeof node === "boolean" || node === null) return node;
    throw new Error(`redactConfig: unexpected ${typeof node} at ${formatPath(path)}`);
  };
  return visit(loaded.config, []);
}

import type { JsonValue } from "../model/json.js";

/** One step of a JSON path: an object key or an array index. */
export type JsonPathStep = string | number;

const STEP = /^(?:\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/;

/**
 * Parses a JSON path such as `status`, `$.checks.db.ok`, `items[0].id` or `headers["x-id"]`;
 * undefined when it is not one.
 */
export function parseJsonPath(path: string): JsonPathStep[] | undefined {
  let rest = path.startsWith("$") ? path.slice(1) : path;
  if (rest === "") return path === "$" ? [] : undefined;
  const steps: JsonPathStep[] = [];
  while (rest !== "") {
    const match = STEP.exec(rest);
    if (!match) return undefined;
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(JSON.parse(`"${match[3] ?? ""}"`) as string);
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** The value at `steps` in `value`: `{ found: false }` when any step is missing. */
export function valueAt(
  value: JsonValue,
  steps: readonly JsonPathStep[],
): { found: true; value: JsonValue } | { found: false } {
  let current: JsonValue = value;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(current) || step >= current.length) return { found: false };
      current = current[step] as JsonValue;
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) {
        return { found: false };
      }
      if (!Object.hasOwn(current, step)) return { found: false };
      current = current[step] as JsonValue;
    }
  }
  return { found: true, value: current };
}

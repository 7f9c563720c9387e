import type { z } from "zod";
import type { ConfigPath } from "./interpolate.js";
import { knownKeysAt } from "./schema-keys.js";
import { closest } from "./suggest.js";

/** A config problem before it is given a file position. */
export interface PendingProblem {
  readonly path: ConfigPath;
  /** Point at the key itself rather than its value (unknown keys, bad names). */
  readonly atKey?: boolean;
  readonly message: string;
  readonly hint: string;
}

const DOCS_HINT = "see docs/config.md for the allowed keys and values";

/**
 * Turns one zod issue into problems people can act on. `isSecret(path)` hides values that came
 * from the env file: they must never appear in an error message.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  data: unknown,
  isSecret: (path: ConfigPath) => boolean,
): PendingProblem[] {
  const path = issue.path as (string | number)[];
  const got = (): string => describeValue(issue.input, isSecret(path));
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(schema, path, data);
      return issue.keys.map((key) => {
        const suggestion = closest(key, known);
        return {
          path: [...path, key],
          atKey: true,
          message: `unknown key "${key}"`,
          hint:
            suggestion !== undefined
              ? `did you mean "${suggestion}"?`
              : `allowed keys here: ${known.join(", ")}`,
        };
      });
    }
    case "invalid_type": {
      const key = path[path.length - 1];
      if (issue.input === undefined && key !== undefined) {
        return [{ path, message: `missing required key "${key}"`, hint: DOCS_HINT }];
      }
      const hint =
        issue.expected === "array" && typeof issue.input === "string"
          ? "write commands as an argv list, e.g. [npm, start]; shipsafe does not run shell strings"
          : DOCS_HINT;
      return [{ path, message: `expected ${issue.expected}, got ${got()}`, hint }];
    }
    case "invalid_value": {
      const expected = issue.values.map((value) => JSON.stringify(value)).join(" or ");
      const suggestion =
        typeof issue.input === "string"
          ? closest(issue.input, issue.values.map(String))
          : undefined;
      return [
        {
          path,
          message: `expected ${expected}, got ${got()}`,
          hint: suggestion !== undefined ? `did you mean "${suggestion}"?` : DOCS_HINT,
        },
      ];
    }
    case "invalid_union": {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      if (discriminator === undefined) return [{ path, message: issue.message, hint: DOCS_HINT }];
      const input = issue.input as Record<string, unknown> | undefined;
      const value = input?.[discriminator];
      const expected = options.map((option) => `"${option}"`).join(", ");
      if (value === undefined) {
        return [
          {
            path,
            message: `missing required key "${discriminator}"`,
            hint: `set ${discriminator} to one of ${expected}`,
          },
        ];
      }
      const suggestion = typeof value === "string" ? closest(value, options) : undefined;
      return [
        {
          path,
          message: `unknown ${discriminator} ${describeValue(value, isSecret(path))}; expected one of ${expected}`,
          hint: suggestion !== undefined ? `did you mean "${suggestion}"?` : DOCS_HINT,
        },
      ];
    }
    case "invalid_key": {
      const inner = issue.issues[0]?.message ?? issue.message;
      return [{ path, atKey: true, message: `invalid name ${got()}: ${inner}`, hint: DOCS_HINT }];
    }
    case "too_small": {
      const minimum = String(issue.minimum);
      const message =
        issue.origin === "array"
          ? `expected at least ${minimum} item(s)`
          : issue.origin === "number"
            ? `expected a number >= ${minimum}, got ${got()}`
            : issue.message;
      return [{ path, message, hint: DOCS_HINT }];
    }
    case "custom":
      return [{ path, message: issue.message, hint: DOCS_HINT }];
    default:
      return [
        {
          path,
          message:
            issue.input === undefined || typeof issue.input === "object"
              ? issue.message
              : `${issue.message}, got ${got()}`,
          hint: DOCS_HINT,
        },
      ];
  }
}

/** `string "abc"`, `number 5`, `null`, `object` — never the value itself when it is secret. */
export function describeValue(value: unknown, secret: boolean): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") {
    if (secret) return "a string from the env file (hidden)";
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "object") return "object";
  return `${typeof value} ${String(value)}`;
}

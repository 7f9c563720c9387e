import type { z } from "zod";
import type { ConfigPath } from "./interpolate.js";

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let def = defOf(current); WRAPPERS.has(def.type) && def.innerType; def = defOf(current)) {
    current = def.innerType;
  }
  return current;
}

/** Among union options, the object schemas matching the data (by discriminator when possible). */
function objectOptions(schema: z.ZodType, data: unknown): z.ZodType[] {
  const def = defOf(unwrap(schema));
  if (def.type === "object") return [unwrap(schema)];
  if (def.type !== "union" || !def.options) return [];
  const all = def.options.flatMap((option) => objectOptions(option, data));
  const matching = all.filter((option) =>
    Object.entries(defOf(option).shape ?? {}).some(([key, field]) => {
      const literal = defOf(unwrap(field)) as Def & { values?: unknown[] };
      return (
        literal.type === "literal" &&
        data !== null &&
        typeof data === "object" &&
        literal.values?.includes((data as Record<string, unknown>)[key]) === true
      );
    }),
  );
  return matching.length > 0 ? matching : all;
}

/** The keys the schema allows for the object at `path` in `data` (for "did you mean" hints). */
export function knownKeysAt(schema: z.ZodType, path: ConfigPath, data: unknown): string[] {
  let candidates: z.ZodType[] = [schema];
  let current: unknown = data;
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const candidate of candidates) {
      const def = defOf(unwrap(candidate));
      if (def.type === "record" && def.valueType) next.push(def.valueType);
      else if (def.type === "array" && def.element) next.push(def.element);
      else {
        for (const option of objectOptions(candidate, current)) {
          const field = defOf(option).shape?.[String(segment)];
          if (field) next.push(field);
        }
      }
    }
    candidates = next;
    current =
      current !== null && typeof current === "object"
        ? (current as Record<string, unknown>)[String(segment)]
        : undefined;
  }
  const keys = candidates.flatMap((candidate) =>
    objectOptions(candidate, current).flatMap((option) => Object.keys(defOf(option).shape ?? {})),
  );
  return [...new Set(keys)];
}

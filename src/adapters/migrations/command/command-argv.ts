import { ShipsafeError } from "../../../domain/errors.js";

/** Placeholders a migrations command's argv may carry. */
export const TO = "{to}";
export const COUNT = "{count}";

/**
 * Fills `{to}` and `{count}` in an argv. An element holding a placeholder that has no value is
 * left out, so `[tool, up, "{to}"]` runs `tool up` when no target is given.
 */
export function fillArgv(
  argv: readonly string[],
  values: { readonly to?: string; readonly count?: number },
): string[] {
  if (values.to?.startsWith("-")) {
    throw new ShipsafeError({
      code: "USAGE",
      kind: "usage",
      message: `migration id "${values.to}" starts with "-": the tool would read it as an option`,
      hint: "pass a migration id as shipsafe migrate status lists it",
    });
  }
  const out: string[] = [];
  for (const arg of argv) {
    if (arg.includes(TO) && values.to === undefined) continue;
    if (arg.includes(COUNT) && values.count === undefined) continue;
    out.push(arg.replaceAll(TO, values.to ?? TO).replaceAll(COUNT, String(values.count ?? COUNT)));
  }
  return out;
}

export function hasPlaceholder(argv: readonly string[], placeholder: string): boolean {
  return argv.some((arg) => arg.includes(placeholder));
}

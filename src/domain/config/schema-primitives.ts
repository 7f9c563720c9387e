import { z } from "zod";
import { DURATION_PATTERN } from "../duration.js";

/** Value schemas shared by the config sections (one definition, one error message each). */
export const duration = z
  .string()
  .regex(DURATION_PATTERN, { error: "expected a duration such as 300ms, 5s, 2m or 1h" });
export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: "expected a name of letters, digits, '.', '_' or '-' (starting with a letter or digit)",
});
export const nonEmpty = z.string().min(1, { error: "expected a non-empty string" });
/** A command as an argv array: shipsafe never builds shell strings. */
export const argv = z
  .array(nonEmpty)
  .min(1, { error: "expected a command as a non-empty argv array" });
export const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
/** Environment for a child process: variable name → value. */
export const envVars = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error:
      "expected an environment variable name (letters, digits and _, not starting with a digit)",
  }),
  z.string(),
);

import { z } from "zod";
import { duration, nonEmpty } from "./schema-primitives.js";

/**
 * The `metrics` block's shared parts (docs/config.md#metrics). Defaults are applied by
 * `observationSetup` (domain/observation), so configs typed before these keys stay valid.
 */
const BUILTINS = ["errorRate", "latencyP95", "throughput", "ready"] as const;

const thresholds = z.strictObject({
  /** The value itself beyond this limit breaches. */
  absolute: z.number().optional(),
  /** (value − baseline) / baseline beyond this fraction breaches (1 = doubled). */
  relative: z.number().positive().optional(),
  /** value − baseline beyond this amount breaches (errorRate: 0.05 = 5 points). */
  delta: z.number().nonnegative().optional(),
});

const severity = z.enum(["SEV-1", "SEV-2", "SEV-3", "SEV-4"]);

/**
 * A metric: a built-in (name only, thresholds optional) or a custom one (name, query, direction,
 * thresholds). One object with a check, so a typo in a built-in's name says what is missing.
 */
const metricDefinition = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
      error: "expected a metric name of letters, digits and _ (starting with a letter)",
    }),
    query: nonEmpty.optional(),
    direction: z.enum(["higher-is-worse", "lower-is-worse"]).optional(),
    thresholds: thresholds.optional(),
    unit: z.enum(["ratio", "ms", "rps", "number"]).optional(),
    severity: severity.optional(),
    /** false: thresholds and the consecutive limit alone decide (no rank test). */
    test: z.boolean().optional(),
  })
  .superRefine((m, ctx) => {
    const builtin = (BUILTINS as readonly string[]).includes(m.name);
    if (builtin) {
      for (const key of ["query", "direction", "unit"] as const) {
        if (m[key] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `${m.name} is a built-in metric: its ${key} is fixed (rename it to define a custom metric)`,
            input: m[key],
          });
        }
      }
      return;
    }
    if (m.query === undefined || m.direction === undefined || m.thresholds === undefined) {
      ctx.addIssue({
        code: "custom",
        path:
          m.query === undefined
            ? ["query"]
            : m.direction === undefined
              ? ["direction"]
              : ["thresholds"],
        message: `custom metric ${m.name} needs query, direction and thresholds (built-ins: ${BUILTINS.join(", ")})`,
        input: m,
      });
    }
  });

export const metricsCommon = {
  /** How often watch samples (deploy: --interval). */
  interval: duration.optional(),
  /** Bound on one read of the source. */
  timeout: duration.optional(),
  /** Default: the four built-ins; listing any replaces the set (list the built-ins you keep). */
  definitions: z
    .array(metricDefinition)
    .min(1)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.name)) {
          ctx.addIssue({
            code: "custom",
            path: [index, "name"],
            message: `duplicate metric "${item.name}"`,
            input: item.name,
          });
        }
        seen.add(item.name);
      });
    })
    .optional(),
  analysis: z
    .strictObject({
      consecutiveFailures: z.number().int().min(1).optional(),
      minTraffic: z.number().int().min(0).optional(),
      minBaselineSamples: z.number().int().min(2).optional(),
      alpha: z.number().gt(0).lt(1).optional(),
      minCliffsDelta: z.number().min(0).max(1).optional(),
      minMedianChange: z.number().min(0).optional(),
    })
    .optional(),
  severity: z
    .strictObject({
      sev2ErrorRate: z.number().min(0).max(1).optional(),
      sev3ErrorRate: z.number().min(0).max(1).optional(),
    })
    .optional(),
};

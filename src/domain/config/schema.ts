import { z } from "zod";
import { DEFAULT_TAG_PATTERNS } from "../lkg/tag-selection.js";
import { gate, gateName } from "./gate-schema.js";
import { argv, duration, envVars, httpUrl, name, nonEmpty } from "./schema-primitives.js";

/**
 * The shipsafe.yaml schema. Every object is strict (unknown keys are errors, so typos surface);
 * the JSON Schema in `configJsonSchema()` is generated from these same definitions.
 */
const localTarget = z.strictObject({
  kind: z.literal("local"),
  /** Directory holding `releases/<version>/` and the `current` symlink. */
  root: nonEmpty,
  start: argv,
  stop: argv.optional(),
  restart: argv.optional(),
  readyTimeout: duration.default("60s"),
  /** Between SIGTERM and SIGKILL when stopping the service. */
  stopGrace: duration.default("10s"),
  /** Extra environment for the service and its stop/restart commands. */
  env: envVars.optional(),
});

const commandTarget = z.strictObject({
  kind: z.literal("command"),
  /** Activates a version; receives it as SHIPSAFE_VERSION in its environment. */
  activate: argv,
  /** Prints the active version on stdout. */
  current: argv.optional(),
  stop: argv.optional(),
  timeout: duration.default("5m"),
});

const health = z.strictObject({
  live: httpUrl.optional(),
  ready: httpUrl.optional(),
  /** Text the live response body must contain. */
  liveBody: nonEmpty.optional(),
  /** Text the ready response body must contain. */
  readyBody: nonEmpty.optional(),
  timeout: duration.default("5s"),
  interval: duration.default("2s"),
  successes: z.number().int().min(1).default(1),
});

const stateAsset = z.discriminatedUnion("kind", [
  z.strictObject({ name, kind: z.literal("sqlite"), path: nonEmpty }),
  z.strictObject({
    name,
    kind: z.literal("postgres"),
    url: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// URL" }),
  }),
  z.strictObject({ name, kind: z.literal("files"), paths: z.array(nonEmpty).min(1) }),
]);

const migrations = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("sql-dir"), dir: nonEmpty }),
  z.strictObject({ kind: z.literal("command"), up: argv, down: argv, status: argv }),
]);

const metrics = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("scrape"), url: httpUrl }),
  z.strictObject({ source: z.literal("prometheus"), url: httpUrl }),
]);

const policy = z.strictObject({
  autoRollback: z.boolean().default(false),
  approvals: z
    .strictObject({
      required: z.number().int().min(0).default(1),
      approvers: z.array(nonEmpty).optional(),
    })
    .optional(),
});

const lkg = z.strictObject({
  /** Tags naming releases for `shipsafe lkg --from-git` (globs: `*` and `?`). */
  tagPatterns: z
    .array(nonEmpty)
    .min(1)
    .default([...DEFAULT_TAG_PATTERNS]),
});

function uniqueNames(items: readonly { name: string }[], ctx: z.core.$RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      ctx.addIssue({
        code: "custom",
        path: [index, "name"],
        message: `duplicate name "${item.name}"`,
        input: item.name,
      });
    }
    seen.add(item.name);
  });
}

export const environmentSchema = z.strictObject({
  target: z.discriminatedUnion("kind", [localTarget, commandTarget]),
  health: health.prefault({}),
  state: z.array(stateAsset).superRefine(uniqueNames).default([]),
  migrations: migrations.optional(),
  metrics: metrics.optional(),
  gates: z.record(gateName, gate).optional(),
  policy: policy.optional(),
  lkg: lkg.optional(),
});

export const shipsafeConfigSchema = z.strictObject({
  version: z.literal(1, { error: "expected version: 1 (the only config version)" }),
  service: nonEmpty,
  actor: nonEmpty.optional(),
  environments: z.record(name, environmentSchema).refine((envs) => Object.keys(envs).length > 0, {
    error: "expected at least one environment",
  }),
});

export type ShipsafeConfig = z.output<typeof shipsafeConfigSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type TargetConfig = EnvironmentConfig["target"];
export type HealthConfig = EnvironmentConfig["health"];
export type StateAssetConfig = EnvironmentConfig["state"][number];
export type MigrationsConfig = NonNullable<EnvironmentConfig["migrations"]>;
export type MetricsConfig = NonNullable<EnvironmentConfig["metrics"]>;
export type GateConfig = NonNullable<EnvironmentConfig["gates"]>[string];
export type GateCheckConfig = GateConfig["checks"][number];
export type PolicyConfig = NonNullable<EnvironmentConfig["policy"]>;

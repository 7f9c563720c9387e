import { z } from "zod";
import { DEFAULT_TAG_PATTERNS } from "../lkg/tag-selection.js";
import { gate, gateName } from "./gate-schema.js";
import { metricsCommon } from "./metrics-schema.js";
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

/** A recorded decision to release a non-reversible migration anyway (docs/config.md#migrations). */
const migrationWaiver = z.strictObject({
  migration: nonEmpty,
  by: nonEmpty,
  reason: nonEmpty,
  at: z.iso.date({ error: "expected the date the waiver was given, e.g. 2026-03-01" }),
});

const migrationsCommon = { waivers: z.array(migrationWaiver).optional() };

/** A regular expression with the named groups `id` and `state`. */
const statusPattern = nonEmpty.superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    ctx.addIssue({
      code: "custom",
      message: `not a valid regular expression: ${why}`,
      input: pattern,
    });
    return;
  }
  const groups = [...pattern.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]);
  for (const required of ["id", "state"]) {
    if (!groups.includes(required)) {
      const message = `expected a named group (?<${required}>...)`;
      ctx.addIssue({ code: "custom", message, input: pattern });
    }
  }
});

const migrations = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("sql-dir"),
    /** `NNNN_name.up.sql` / `.down.sql` files, relative to the release directory. */
    dir: nonEmpty,
    /** The state asset (sqlite or postgres) migrated; default: the environment's only one. */
    asset: name.optional(),
    ...migrationsCommon,
  }),
  z
    .strictObject({
      kind: z.literal("command"),
      /** `{to}` receives a target id; the element is left out when there is none. */
      up: argv,
      /** `{count}` receives how many to revert, or `{to}` the id that stays applied. */
      down: argv,
      status: argv,
      statusFormat: z.enum(["json", "text"]).default("json"),
      /** For statusFormat text: matched per line, named groups `id` and `state`. */
      statusPattern: statusPattern.optional(),
      /** For statusFormat text: the `state` that means applied. */
      appliedState: nonEmpty.default("applied"),
      /** Working directory of the commands, relative to the release directory. */
      cwd: nonEmpty.default("."),
      timeout: duration.default("10m"),
      env: envVars.optional(),
      ...migrationsCommon,
    })
    .refine((m) => m.statusFormat !== "text" || m.statusPattern !== undefined, {
      error: "statusFormat: text needs a statusPattern with the named groups id and state",
      path: ["statusPattern"],
    }),
]);

/** One HTTP call of a maintenance switch. */
const maintenanceCall = z.strictObject({
  url: httpUrl,
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
});

/**
 * How a rollback stops writes first and resumes them last: `stop` (the default) — stopping the
 * process stops them; `command` — argv run to switch maintenance on / off; `http` — a call each.
 */
const maintenance = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("stop") }),
  z.strictObject({
    kind: z.literal("command"),
    on: argv,
    off: argv,
    timeout: duration.default("30s"),
  }),
  z.strictObject({
    kind: z.literal("http"),
    on: maintenanceCall,
    off: maintenanceCall,
    timeout: duration.default("10s"),
  }),
]);

const metrics = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("scrape"),
    /** The service's own Prometheus text endpoint, e.g. http://127.0.0.1:8080/metrics. */
    url: httpUrl,
    ...metricsCommon,
  }),
  z.strictObject({
    source: z.literal("prometheus"),
    /** The Prometheus server, e.g. http://prometheus:9090 (its HTTP API is under /api/v1). */
    url: httpUrl,
    /** Label matchers selecting the service's series, e.g. `job="orders"`; empty: all series. */
    selector: z.string().optional(),
    /** The shortest range a rate or quantile is computed over: at least 2 scrape intervals. */
    rateWindow: duration.optional(),
    ...metricsCommon,
  }),
]);

const policyAction = z.enum(["rollback", "prepare", "monitor"]);

/** One row of the severity matrix: an action, or an action with when and who approves. */
const severityRule = z.union([
  policyAction,
  z.strictObject({
    action: policyAction,
    /** `required` before the rollback runs, `after` it (SEV-1), or `none`. */
    approval: z.enum(["required", "after", "none"]).optional(),
    /** Overrides `approvals.required` for this severity. */
    required: z.number().int().min(0).optional(),
    /** Overrides `approvals.approvers` for this severity. */
    approvers: z.array(nonEmpty).min(1).optional(),
  }),
]);

const notifyTarget = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("webhook"),
    /** Receives a JSON POST (Slack-compatible `text` plus structured fields). Secret: masked. */
    url: httpUrl,
    timeout: duration.default("5s"),
  }),
  z.strictObject({ kind: z.literal("stdout") }),
]);

/** What observation does per severity, who approves, who hears about it (docs/policy.md). */
const policy = z.strictObject({
  /** Shorthand kept from before the matrix: true = every severity rolls back without approval. */
  autoRollback: z.boolean().optional(),
  severities: z
    .partialRecord(z.enum(["SEV-1", "SEV-2", "SEV-3", "SEV-4"]), severityRule)
    .optional(),
  approvals: z
    .strictObject({
      required: z.number().int().min(0).default(1),
      approvers: z.array(nonEmpty).optional(),
    })
    .optional(),
  notify: z.array(notifyTarget).optional(),
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
  maintenance: maintenance.optional(),
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
export type MaintenanceConfig = NonNullable<EnvironmentConfig["maintenance"]>;
export type GateConfig = NonNullable<EnvironmentConfig["gates"]>[string];
export type GateCheckConfig = GateConfig["checks"][number];
export type PolicyConfig = NonNullable<EnvironmentConfig["policy"]>;

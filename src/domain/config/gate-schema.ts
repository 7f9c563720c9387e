import { z } from "zod";
import { findCycle } from "../gate/check-order.js";
import { RESERVED_GATE_NAMES } from "../gate/gate-names.js";
import { parseJsonPath } from "../gate/json-path.js";
import { argv, duration, envVars, httpUrl, name, nonEmpty } from "./schema-primitives.js";

/**
 * Gate checks: a discriminated union on `type`. Every check may set `name` (default: its type),
 * `subsystem`, `required` (a non-required failure is a warning), `timeout` and `after` (names of
 * checks that must finish first; otherwise checks run concurrently). See docs/gates.md.
 */
const common = {
  name: name.optional(),
  subsystem: name.optional(),
  required: z.boolean().default(true),
  timeout: duration.optional(),
  after: z.array(name).min(1).optional(),
};

/** A program name on PATH or an absolute path; never something a shell or tool reads as an option. */
const toolName = z.string().regex(/^(?:\/[^\0]+|[A-Za-z0-9_][A-Za-z0-9._+-]*)$/, {
  error: "expected a program name (letters, digits, '.', '_', '+', '-') or an absolute path",
});
const versionText = z.string().regex(/^\d+(?:\.\d+){0,2}$/, {
  error: "expected a version such as 20, 20.15 or 1.2.3",
});
const jsonPath = nonEmpty.refine((path) => parseJsonPath(path) !== undefined, {
  error: "expected a JSON path such as status, checks.db.ok or items[0].id",
});

const commandCheck = z.strictObject({
  type: z.literal("command"),
  ...common,
  /** argv, run without a shell. */
  command: argv,
  /** Working directory, relative to the config file (default: the config file's directory). */
  cwd: nonEmpty.optional(),
  /** Extra environment (added to shipsafe's own). */
  env: envVars.optional(),
  /** The exit code that means success. */
  exitCode: z.number().int().min(0).max(255).default(0),
});

const httpCheck = z.strictObject({
  type: z.literal("http"),
  ...common,
  url: httpUrl,
  /** The expected status; default: any 2xx. */
  status: z.number().int().min(100).max(599).optional(),
  /** Text the body must contain. */
  bodyContains: nonEmpty.optional(),
  /** A JSON body value that must exist, and equal `equals` when given. */
  json: z
    .strictObject({
      path: jsonPath,
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    })
    .optional(),
  /** The response must arrive within this. */
  maxLatency: duration.optional(),
});

const endpointsCheck = z.strictObject({
  type: z.literal("endpoints"),
  ...common,
  /** Default: the environment's health.live, health.ready and metrics URLs. */
  urls: z.array(httpUrl).min(1).optional(),
});

const healthCheck = z.strictObject({
  type: z.literal("health"),
  ...common,
  /** Fail when nothing is deployed (default: a first release passes). */
  requireRunning: z.boolean().default(false),
});

const backupAgeCheck = z.strictObject({
  type: z.literal("backup-age"),
  ...common,
  maxAge: duration.default("24h"),
  /** Also re-hash the newest snapshot (it must be intact, not just recent). */
  verify: z.boolean().default(false),
});

const snapshotVerifyCheck = z.strictObject({
  type: z.literal("snapshot-verify"),
  ...common,
  /** `newest`, or the snapshot a rollback to the previous release would restore. */
  snapshot: z.enum(["newest", "previous-release"]).default("newest"),
  /** `quick`: the manifest exists and matches its hash; `full`: every chunk is re-read. */
  mode: z.enum(["quick", "full"]).default("full"),
});

const migrationsCheck = z.strictObject({
  type: z.literal("migrations"),
  ...common,
  /**
   * Also run up → down → up of the gated release's pending migrations on a scratch copy: one
   * whose down does not restore the schema fails unless `migrations.waivers` names it.
   */
  reversible: z.boolean().default(false),
});

const toolsCheck = z.strictObject({
  type: z.literal("tools"),
  ...common,
  tools: z
    .array(
      z.strictObject({
        name: toolName,
        minVersion: versionText.optional(),
        /** Arguments that print the version (default: [--version]). */
        versionArgs: z.array(nonEmpty).optional(),
      }),
    )
    .min(1),
});

const artifactCheck = z.strictObject({
  type: z.literal("artifact"),
  ...common,
  /** A version, `current` or `previous`; default: the version being gated, else the current one. */
  version: nonEmpty.optional(),
});

const diskSpaceCheck = z.strictObject({
  type: z.literal("disk-space"),
  ...common,
  /** Free space needed = the state's size × factor. */
  factor: z.number().positive().default(1.5),
  /** The filesystem to check (default: the state dir, where snapshots are written). */
  path: nonEmpty.optional(),
});

const gitCheck = z.strictObject({
  type: z.literal("git"),
  ...common,
  /** The repository, relative to the config file. */
  dir: nonEmpty.default("."),
  clean: z.boolean().default(true),
  tagged: z.boolean().default(true),
  /** Only tags matching this glob count (`*` matches anything), e.g. `v*`. */
  tagPattern: nonEmpty.optional(),
});

const previousReleaseCheck = z.strictObject({
  type: z.literal("previous-release"),
  ...common,
  /** Also require the snapshot a state rollback to it would restore (when state is configured). */
  snapshot: z.boolean().default(true),
});

export const gateCheck = z.discriminatedUnion("type", [
  commandCheck,
  httpCheck,
  endpointsCheck,
  healthCheck,
  backupAgeCheck,
  snapshotVerifyCheck,
  migrationsCheck,
  toolsCheck,
  artifactCheck,
  diskSpaceCheck,
  gitCheck,
  previousReleaseCheck,
]);

/** Unique effective names; `after` names existing checks and forms no cycle. */
function checkReferences(
  checks: readonly { name?: string | undefined; type: string; after?: string[] | undefined }[],
  ctx: z.core.$RefinementCtx,
): void {
  const index = new Map<string, number>();
  checks.forEach((check, i) => {
    const effective = check.name ?? check.type;
    if (index.has(effective)) {
      ctx.addIssue({
        code: "custom",
        path: [i, check.name === undefined ? "type" : "name"],
        message: `two checks are named "${effective}"${check.name === undefined ? " (a check's name defaults to its type)" : ""}; give each a unique name`,
        input: effective,
      });
    } else index.set(effective, i);
  });
  checks.forEach((check, i) => {
    for (const [j, dep] of (check.after ?? []).entries()) {
      if (!index.has(dep)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "after", j],
          message: `no check named "${dep}" in this gate (checks: ${[...index.keys()].join(", ")})`,
          input: dep,
        });
      }
    }
  });
  const cycle = findCycle(checks.map((c) => ({ name: c.name ?? c.type, after: c.after ?? [] })));
  if (cycle !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [index.get(cycle[0] as string) ?? 0, "after"],
      message: `checks wait for each other in a cycle: ${cycle.join(" → ")}`,
      input: cycle,
    });
  }
}

export const gate = z.strictObject({
  checks: z.array(gateCheck).min(1).superRefine(checkReferences),
});

/** A gate's name: `shipsafe gate summary` is the report, so `summary` names no gate. */
export const gateName = name.refine(
  (value) => !(RESERVED_GATE_NAMES as readonly string[]).includes(value),
  {
    error: `reserved: \`shipsafe gate ${RESERVED_GATE_NAMES.join("|")}\` is a command, not a gate; name the gate otherwise`,
  },
);

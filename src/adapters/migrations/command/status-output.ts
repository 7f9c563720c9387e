import { z } from "zod";
import { ShipsafeError } from "../../../domain/errors.js";

/** One migration as a tool's status command reports it, in apply order. */
export interface ReportedMigration {
  readonly id: string;
  readonly name: string;
  readonly applied: boolean;
  readonly appliedAt: string | null;
  readonly hasDown: boolean;
  /** False for an applied migration the release does not ship (the database is ahead of it). */
  readonly shipped: boolean;
}

/** How a status command's stdout is read. */
export type StatusFormat =
  | { readonly kind: "json" }
  | {
      readonly kind: "text";
      /** Matched against each line; named groups `id` and `state`, optional `name`, `appliedAt`. */
      readonly pattern: string;
      /** The `state` value that means applied (anything else is pending). */
      readonly appliedState: string;
    };

/** The documented JSON shape (docs/migrations.md#status-json). */
const statusJson = z.object({
  migrations: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().optional(),
      applied: z.boolean(),
      appliedAt: z.string().nullable().optional(),
      hasDown: z.boolean().optional(),
      shipped: z.boolean().optional(),
    }),
  ),
});

/** Reads a status command's stdout; a shape it cannot read is an error naming the command. */
export function parseStatusOutput(
  stdout: string,
  format: StatusFormat,
  command: string,
): ReportedMigration[] {
  return format.kind === "json"
    ? parseJson(stdout, command)
    : parseText(stdout, format.pattern, format.appliedState);
}

function parseJson(stdout: string, command: string): ReportedMigration[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw unreadable(
      command,
      `its output is not JSON: ${stdout.trim().slice(0, 120) || "(empty)"}`,
    );
  }
  const result = statusJson.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw unreadable(
      command,
      `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return result.data.migrations.map((m) => ({
    id: m.id,
    name: m.name ?? m.id,
    applied: m.applied,
    appliedAt: m.appliedAt ?? null,
    hasDown: m.hasDown ?? true,
    shipped: m.shipped ?? true,
  }));
}

function parseText(stdout: string, pattern: string, appliedState: string): ReportedMigration[] {
  const line = new RegExp(pattern);
  const found: ReportedMigration[] = [];
  for (const text of stdout.split(/\r?\n/)) {
    const groups = line.exec(text)?.groups;
    if (!groups?.id || groups.state === undefined) continue;
    const applied = groups.state === appliedState;
    found.push({
      id: groups.id,
      name: groups.name ?? groups.id,
      applied,
      appliedAt: applied ? (groups.appliedAt ?? null) : null,
      hasDown: true,
      shipped: true,
    });
  }
  return found;
}

function unreadable(command: string, why: string): ShipsafeError {
  return new ShipsafeError({
    code: "MIGRATION_STATUS_UNREADABLE",
    kind: "runtime",
    message: `cannot read the output of the migrations status command ${command}: ${why}`,
    hint: 'make it print {"migrations":[{"id":"0001_init","applied":true,"appliedAt":"..."}]} (docs/migrations.md#status-json), or use statusFormat: text with a statusPattern',
  });
}

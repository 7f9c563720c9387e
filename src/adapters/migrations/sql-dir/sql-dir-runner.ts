import { isAbsolute, join, normalize, sep } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { AppliedMigration } from "../../../domain/migrations/migration.js";
import type { MigrationRun, MigrationRunner } from "../../../ports/migration-runner.js";
import type { Progress } from "../../../ports/progress.js";
import { migrationState } from "../migration-state.js";
import { fileChecksum, type MigrationFile, readMigrationFiles } from "./migration-files.js";
import { needsNoTransaction } from "./no-transaction.js";
import type { MigrationScript, TrackedMigration, TrackingDatabase } from "./tracking-database.js";

export interface SqlDirOptions {
  /** The migrations directory, relative to a release's directory (e.g. `migrations`). */
  readonly dir: string;
  readonly database: TrackingDatabase;
}

/**
 * `sql-dir` migrations: `NNNN_name.up.sql` / `NNNN_name.down.sql` files shipped in each release,
 * applied in number order, recorded in the target database's `shipsafe_migrations` table with the
 * up file's checksum and the down SQL as it was when applied.
 */
export function createSqlDirMigrationRunner(options: SqlDirOptions): MigrationRunner {
  const { database } = options;
  if (isAbsolute(options.dir) || normalize(options.dir).split(sep).includes("..")) {
    throw new TypeError(`createSqlDirMigrationRunner: ${options.dir} is not inside the release`);
  }
  const filesOf = (releaseDir: string) => readMigrationFiles(join(releaseDir, options.dir));

  /** Shipped files and applied rows, refusing an applied migration whose up file changed. */
  const facts = async (releaseDir: string) => {
    const files = await filesOf(releaseDir);
    const applied = inApplyOrder(await database.applied());
    const recorded = new Map(applied.map((row) => [row.id, row]));
    for (const file of files) {
      const row = recorded.get(file.id);
      if (!row) continue;
      const { sha256 } = await fileChecksum(file.upFile);
      if (sha256 !== row.checksum) throw checksumChanged(file, row, sha256, database.label);
    }
    return { files, applied };
  };

  const finish = async (
    direction: "up" | "down",
    ran: readonly string[],
  ): Promise<MigrationRun> => {
    const after = inApplyOrder(await database.applied());
    const at = new Map(after.map((row) => [row.id, row.appliedAt]));
    return {
      direction,
      migrations: ran.map((id): AppliedMigration => ({ id, appliedAt: at.get(id) ?? null })),
      head: after.at(-1)?.id ?? null,
    };
  };

  return {
    kind: "sql-dir",

    async list(releaseDir) {
      return (await filesOf(releaseDir)).map((f) => ({
        id: f.id,
        name: f.name,
        hasDown: f.downFile !== null,
      }));
    },

    async status(releaseDir) {
      const { files, applied } = await facts(releaseDir);
      return migrationState(
        files.map((f) => f.id),
        applied.map(({ id, appliedAt }) => ({ id, appliedAt })),
      );
    },

    async up(releaseDir, runOptions = {}) {
      const { files, applied } = await facts(releaseDir);
      const done = new Set(applied.map((row) => row.id));
      const target = runOptions.to;
      const last = target === undefined ? files.at(-1) : files.find((f) => f.id === target);
      if (target !== undefined && !last) throw unknownMigration(target, releaseDir, options.dir);
      const pending = files.filter((f) => !done.has(f.id) && f.number <= (last?.number ?? 0));
      const newest = applied.at(-1);
      const early = pending.find((f) => newest && f.number <= numberOf(newest.id));
      if (early && newest) throw outOfOrder(early, newest.id, database.label);
      const ran: string[] = [];
      for (const file of pending) {
        const up = await fileChecksum(file.upFile);
        const down = file.downFile === null ? null : (await fileChecksum(file.downFile)).text;
        const script = {
          id: file.id,
          name: file.name,
          file: file.upFile,
          sql: up.text,
          noTransaction: needsNoTransaction(up.text),
        };
        await step(runOptions.progress, script, "up", ran, () =>
          database.apply(script, {
            id: file.id,
            name: file.name,
            checksum: up.sha256,
            downSql: down,
          }),
        );
        ran.push(file.id);
      }
      return finish("up", ran);
    },

    async down(releaseDir, runOptions) {
      const applied = inApplyOrder(await database.applied());
      const files = await filesOf(releaseDir).catch((error: unknown) => {
        // The recorded down SQL is enough: the release that shipped the files may be gone.
        if (error instanceof ShipsafeError && error.code === "MIGRATIONS_DIR_MISSING") return [];
        throw error;
      });
      const revert = toRevert(applied, runOptions, database.label);
      const scripts = [];
      for (const row of revert) {
        const file = files.find((f) => f.id === row.id);
        const shippedDown = file?.downFile ? (await fileChecksum(file.downFile)).text : null;
        const sql = row.downSql ?? shippedDown;
        if (sql === null) throw noDown(row.id, database.label);
        scripts.push({
          id: row.id,
          name: row.name,
          file: file?.downFile ?? `${row.id}.down.sql`,
          sql,
          noTransaction: needsNoTransaction(sql),
        });
      }
      const ran: string[] = [];
      for (const script of scripts) {
        await step(runOptions.progress, script, "down", ran, () => database.revert(script));
        ran.push(script.id);
      }
      return finish("down", ran);
    },

    async sql(releaseDir, id) {
      const file = (await filesOf(releaseDir)).find((f) => f.id === id);
      if (!file) throw unknownMigration(id, releaseDir, options.dir);
      return {
        up: (await fileChecksum(file.upFile)).text,
        down: file.downFile === null ? null : (await fileChecksum(file.downFile)).text,
      };
    },
  } satisfies MigrationRunner;
}

/** Runs one migration as a reported step; a failure names the migration and what ran before it. */
async function step(
  progress: Progress | undefined,
  script: MigrationScript,
  direction: "up" | "down",
  ran: readonly string[],
  body: () => Promise<void>,
): Promise<void> {
  const { id } = script;
  const name = `migrate ${direction} ${id}`;
  progress?.report({ type: "step-started", step: name });
  try {
    await body();
  } catch (error) {
    progress?.report({ type: "step-finished", step: name, status: "failed" });
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShipsafeError(
      {
        code: "MIGRATION_FAILED",
        kind: "runtime",
        message: `migration ${id} (${direction}) failed${script.noTransaction ? ` outside a transaction (it contains ${script.noTransaction}): the statements before the failing one stay applied` : " and was rolled back"}: ${reason}${ran.length ? ` (${direction === "up" ? "applied" : "reverted"} before it in this run: ${ran.join(", ")})` : ""}`,
        hint: `fix ${id} and run shipsafe migrate ${direction} again; shipsafe migrate status shows where the database is`,
      },
      { cause: error },
    );
  }
  progress?.report({ type: "step-finished", step: name, status: "succeeded" });
}

function toRevert(
  applied: readonly TrackedMigration[],
  options: { readonly count: number } | { readonly to: string | null },
  label: string,
): TrackedMigration[] {
  if ("count" in options) {
    if (!Number.isInteger(options.count) || options.count < 1) {
      throw new TypeError(`down: count must be a positive integer, got ${options.count}`);
    }
    if (options.count > applied.length) {
      throw new ShipsafeError({
        code: "MIGRATION_DOWN_TOO_MANY",
        kind: "usage",
        message: `cannot revert ${options.count} migrations: ${label} has ${applied.length} applied`,
        hint: `use --count ${applied.length} or less (shipsafe migrate status lists them)`,
      });
    }
    return applied.slice(applied.length - options.count).reverse();
  }
  if (options.to === null) return [...applied].reverse();
  const index = applied.findIndex((row) => row.id === options.to);
  if (index < 0) {
    throw new ShipsafeError({
      code: "MIGRATION_NOT_APPLIED",
      kind: "usage",
      message: `migration ${options.to} is not applied to ${label} (applied: ${applied.map((r) => r.id).join(", ") || "none"})`,
      hint: "pass --to an applied migration id (it stays applied; the ones after it are reverted)",
    });
  }
  return applied.slice(index + 1).reverse();
}

function inApplyOrder(rows: readonly TrackedMigration[]): TrackedMigration[] {
  return [...rows].sort((a, b) => numberOf(a.id) - numberOf(b.id) || (a.id < b.id ? -1 : 1));
}

function numberOf(id: string): number {
  return Number.parseInt(id, 10);
}

function checksumChanged(
  file: MigrationFile,
  row: TrackedMigration,
  sha256: string,
  label: string,
): ShipsafeError {
  return new ShipsafeError({
    code: "MIGRATION_CHECKSUM_CHANGED",
    kind: "refused",
    message: `${file.upFile} was changed after it was applied to ${label}: recorded sha256 ${row.checksum.slice(0, 12)}…, the file now has ${sha256.slice(0, 12)}…`,
    hint: `never edit an applied migration: restore ${file.id}.up.sql as it was applied (git history) and put the change in a new migration`,
  });
}

function outOfOrder(file: MigrationFile, head: string, label: string): ShipsafeError {
  return new ShipsafeError({
    code: "MIGRATION_OUT_OF_ORDER",
    kind: "refused",
    message: `${file.id} is pending but ${label} already has ${head} applied (same or later number)`,
    hint: `renumber ${file.id} after ${head} (migrations apply in number order), or revert down to before it first`,
  });
}

function unknownMigration(id: string, releaseDir: string, dir: string): ShipsafeError {
  return new ShipsafeError({
    code: "MIGRATION_UNKNOWN",
    kind: "usage",
    message: `migration ${id} is not in ${join(releaseDir, dir)}`,
    hint: "use an id that shipsafe migrate status lists (e.g. 0003_add_email)",
  });
}

function noDown(id: string, label: string): ShipsafeError {
  return new ShipsafeError({
    code: "MIGRATION_NO_DOWN",
    kind: "refused",
    message: `migration ${id} applied to ${label} has no down-migration (none was shipped when it was applied, none is shipped now)`,
    hint: `add ${id}.down.sql to the release, or restore a snapshot instead (shipsafe rollback --restore-state)`,
  });
}

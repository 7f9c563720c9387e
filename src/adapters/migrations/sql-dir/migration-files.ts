import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";

/** `0003_add_email.up.sql`: at least four digits, a name, the direction. */
const FILE_NAME = /^(\d{4,})_([A-Za-z0-9][A-Za-z0-9_-]*)\.(up|down)\.sql$/;

/** One migration of a `sql-dir` directory, its files resolved. */
export interface MigrationFile {
  /** `0003_add_email` */
  readonly id: string;
  readonly number: number;
  /** `add_email` */
  readonly name: string;
  readonly upFile: string;
  /** null when the migration ships no down file. */
  readonly downFile: string | null;
}

/**
 * Orders the migration files of a directory listing and refuses what cannot be applied safely: a
 * `.sql` file not named `NNNN_name.up|down.sql`, two migrations with one number, a gap in the
 * numbers, a down file without its up file. Other files (README.md, ...) are ignored.
 */
export function parseMigrationFileNames(dir: string, names: readonly string[]): MigrationFile[] {
  const byId = new Map<string, { number: number; name: string; up?: string; down?: string }>();
  for (const file of [...names].sort()) {
    if (!file.endsWith(".sql")) continue;
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw filesError(
        "MIGRATION_FILE_NAME",
        `${join(dir, file)} is not named NNNN_name.up.sql or NNNN_name.down.sql`,
        "rename it, e.g. 0003_add_email.up.sql (at least four digits, then _name)",
      );
    }
    const [, digits = "", name = "", direction] = match;
    const id = `${digits}_${name}`;
    const entry = byId.get(id) ?? { number: Number(digits), name };
    if (direction === "up") entry.up = file;
    else entry.down = file;
    byId.set(id, entry);
  }
  const migrations = [...byId.entries()]
    .map(([id, e]) => {
      if (e.up === undefined) {
        throw filesError(
          "MIGRATION_DOWN_WITHOUT_UP",
          `${join(dir, e.down ?? id)} has no matching up file ${id}.up.sql`,
          `add ${id}.up.sql, or remove the down file`,
        );
      }
      return {
        id,
        number: e.number,
        name: e.name,
        upFile: join(dir, e.up),
        downFile: e.down === undefined ? null : join(dir, e.down),
      };
    })
    .sort((a, b) => a.number - b.number || (a.id < b.id ? -1 : 1));
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (!previous) return;
    if (previous.number === m.number) {
      throw filesError(
        "MIGRATION_NUMBER_TAKEN",
        `${previous.id} and ${m.id} in ${dir} share the number ${m.number}`,
        `give ${m.id} the next free number, ${pad((migrations.at(-1)?.number ?? m.number) + 1)}`,
      );
    }
    if (m.number !== previous.number + 1) {
      throw filesError(
        "MIGRATION_GAP",
        `${dir} jumps from ${previous.id} to ${m.id}: migration number ${previous.number + 1} is missing`,
        `number migrations consecutively: rename ${m.id} to ${pad(previous.number + 1)}_${m.name}`,
      );
    }
  });
  return migrations;
}

/** Lists `dir` (a release's migrations directory) as ordered migrations. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ShipsafeError({
        code: "MIGRATIONS_DIR_MISSING",
        kind: "runtime",
        message: `the migrations directory ${dir} does not exist`,
        hint: "ship the directory in the release (it may be empty), or fix migrations.dir in shipsafe.yaml (relative to the release directory)",
      });
    }
    throw error;
  }
  return parseMigrationFileNames(dir, names);
}

/** sha256 (hex) of a migration file's bytes: what the tracking table records for its up file. */
export async function fileChecksum(path: string): Promise<{ text: string; sha256: string }> {
  const bytes = await readFile(path);
  return { text: bytes.toString("utf8"), sha256: createHash("sha256").update(bytes).digest("hex") };
}

function pad(n: number): string {
  return String(n).padStart(4, "0");
}

function filesError(code: string, message: string, hint: string): ShipsafeError {
  return new ShipsafeError({ code, kind: "runtime", message, hint });
}

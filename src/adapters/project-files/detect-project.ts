import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { ProjectFacts } from "../../domain/config/project-facts.js";

const SKIPPED_DIRS = new Set(["node_modules", ".git", ".shipsafe"]);
const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;
const MIGRATION_DIRS = ["migrations", "db/migrations"];
const DATA_DIRS = ["uploads", "storage"];

/** Looks at a project directory for what `shipsafe init` can prefill. Reads only; never throws for absent files. */
export async function detectProject(dir: string): Promise<ProjectFacts> {
  const pkg = await readPackageJson(join(dir, "package.json"));
  const packageName = typeof pkg?.name === "string" && pkg.name !== "" ? pkg.name : undefined;
  const scripts = pickScripts(pkg?.scripts);
  const service = packageName?.replace(/^@[^/]+\//, "") || basename(resolve(dir)) || "my-service";
  return {
    service,
    packageName,
    scripts,
    sqliteFiles: await findSqliteFiles(dir),
    migrationsDir: await firstDirectory(dir, MIGRATION_DIRS),
    dataDirs: await existingDirectories(dir, DATA_DIRS),
  };
}

async function readPackageJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
    return parsed !== null && typeof parsed === "object"
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    // No (or unparsable) package.json: init still writes a config with placeholders.
    return undefined;
  }
}

function pickScripts(scripts: unknown): ProjectFacts["scripts"] {
  const out: { test?: string; build?: string; start?: string } = {};
  if (scripts === null || typeof scripts !== "object") return out;
  for (const name of ["test", "build", "start"] as const) {
    const value = (scripts as Record<string, unknown>)[name];
    if (typeof value === "string" && value !== "") out[name] = value;
  }
  return out;
}

/** SQLite files in `dir` and its direct subdirectories, sorted, as `/`-separated relative paths. */
async function findSqliteFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await list(dir)) {
    if (entry.isFile() && SQLITE_FILE.test(entry.name)) found.push(entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) {
      for (const inner of await list(join(dir, entry.name))) {
        if (inner.isFile() && SQLITE_FILE.test(inner.name))
          found.push(`${entry.name}/${inner.name}`);
      }
    }
  }
  return found.sort();
}

async function list(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function firstDirectory(
  dir: string,
  candidates: readonly string[],
): Promise<string | undefined> {
  for (const candidate of candidates) if (await isDirectory(join(dir, candidate))) return candidate;
  return undefined;
}

async function existingDirectories(dir: string, candidates: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const candidate of candidates)
    if (await isDirectory(join(dir, candidate))) found.push(candidate);
  return found;
}

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { AssetManifest, IntegrityReport, StateAsset } from "../../../ports/state-asset.js";
import { hashFile } from "../files/durable-copy.js";
import { withExportedSnapshot } from "./exported-snapshot.js";
import { type PgConnection, pgConnection, quoteIdent } from "./pg-connection.js";
import { psqlValue, runPgTool } from "./pg-tools.js";
import { FACTS_SQL, factsDetails, type PostgresFacts, parseFacts } from "./postgres-facts.js";

export interface PostgresAssetOptions {
  readonly name: string;
  /** postgres://user:password@host:port/db — the password goes to the tools as PGPASSWORD only. */
  readonly url: string;
  /** A database on the same server to run CREATE/ALTER/DROP DATABASE from (default `postgres`). */
  readonly maintenanceDatabase?: string;
}

/**
 * A PostgreSQL database as a state asset. Capture: `pg_dump --format=custom` (with the objects'
 * privileges, without owners) inside an exported snapshot, so the row counts in the manifest
 * describe exactly the dumped data. Restore: into a fresh database, GRANTs included, checked, then
 * swapped in by rename — a failed restore never leaves the live database half-written.
 */
export function createPostgresAsset(options: PostgresAssetOptions): StateAsset {
  const conn = pgConnection(options.url);
  const admin = conn.withDatabase(options.maintenanceDatabase ?? "postgres");
  const dumpName = `${options.name}.dump`;

  const restoreToFresh = async (
    dir: string,
    manifest: AssetManifest,
    database: string,
  ): Promise<PostgresFacts> => {
    await psqlValue(admin, `CREATE DATABASE ${quoteIdent(database)}`);
    const fresh = conn.withDatabase(database);
    try {
      // Privileges are restored: the GRANTs to the roles the service connects as (roles live in
      // the cluster, not the dump) are part of what makes the restored database usable.
      await runPgTool(
        "pg_restore",
        ["--no-owner", "--exit-on-error", "--dbname", fresh.url, join(dir, dumpName)],
        fresh,
      );
    } catch (error) {
      await dropDatabase(admin, database);
      throw error;
    }
    const facts = parseFacts(await psqlValue(fresh, FACTS_SQL));
    const problems = compareFacts(manifest, facts);
    if (problems.length > 0) {
      await dropDatabase(admin, database);
      throw new ShipsafeError({
        code: "RESTORE_MISMATCH",
        kind: "runtime",
        message: `the restored copy of ${options.name} does not match its manifest: ${problems.join("; ")}`,
        hint: "the live database was not touched; verify the snapshot (shipsafe snapshot verify)",
      });
    }
    return facts;
  };

  const asset: StateAsset = {
    name: options.name,
    kind: "postgres",
    async capture(dir) {
      const file = join(dir, dumpName);
      const facts = await withExportedSnapshot(conn, async (snapshotId, query) => {
        const captured = parseFacts(await query(FACTS_SQL));
        await runPgTool(
          "pg_dump",
          [
            "--format=custom",
            "--no-owner",
            `--snapshot=${snapshotId}`,
            "--file",
            file,
            "--dbname",
            conn.url,
          ],
          conn,
        );
        return captured;
      });
      const digest = await hashFile(file);
      return {
        name: options.name,
        kind: "postgres",
        source: conn.url,
        files: [{ path: dumpName, size: digest.size, sha256: digest.sha256 }],
        size: digest.size,
        details: factsDetails(facts),
      };
    },
    async restore(dir, manifest) {
      // A restore killed earlier (SIGKILL, crash) may have left its scratch databases behind.
      await recoverInterruptedRestore(admin, conn.database);
      const suffix = randomBytes(4).toString("hex");
      const incoming = `${conn.database}${INCOMING}${suffix}`;
      const outgoing = `${conn.database}${OUTGOING}${suffix}`;
      await restoreToFresh(dir, manifest, incoming);
      try {
        await swapIn(admin, conn.database, incoming, outgoing);
      } catch (error) {
        await dropDatabase(admin, incoming).catch(() => undefined);
        throw error;
      }
      await dropDatabase(admin, outgoing);
    },
    async restoreInto(dir, manifest) {
      const database = `${conn.database}_shipsafe_drill_${randomBytes(4).toString("hex")}`;
      const checks: IntegrityReport["checks"][number][] = [];
      const file = manifest.files[0];
      const digest = await hashFile(join(dir, dumpName));
      checks.push({
        name: "sha256",
        ok: file !== undefined && digest.sha256 === file.sha256,
        detail: `${dumpName} ${digest.sha256.slice(0, 16)}…`,
      });
      try {
        const facts = await restoreToFresh(dir, manifest, database);
        checks.push({
          name: "pg_restore",
          ok: true,
          detail: `restored into scratch database ${database}`,
        });
        for (const [table, rows] of Object.entries(facts.tables)) {
          checks.push({ name: `rows ${table}`, ok: true, detail: `${rows} (manifest ${rows})` });
        }
        checks.push({ name: "schema fingerprint", ok: true, detail: facts.schemaFingerprint });
        await dropDatabase(admin, database);
      } catch (error) {
        checks.push({
          name: "pg_restore",
          ok: false,
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      return { ok: checks.every((c) => c.ok), checks };
    },
    async inspect() {
      return factsDetails(parseFacts(await psqlValue(conn, FACTS_SQL)));
    },
  };
  return asset;
}

/** Name parts of the scratch databases a restore creates next to the live one. */
const INCOMING = "_shipsafe_in_";
const OUTGOING = "_shipsafe_old_";

/**
 * Swaps the restored copy in under the live name in ONE transaction (PostgreSQL renames databases
 * transactionally): a process killed at any moment leaves either the old database or the new one
 * under the live name, never neither and never a half-restored one. Sessions still on the live
 * database are terminated first (the service is stopped by then); RENAME waits for them to go and
 * the swap is retried while a straggler reconnects.
 */
async function swapIn(
  admin: PgConnection,
  database: string,
  incoming: string,
  outgoing: string,
): Promise<void> {
  const live = quoteIdent(database);
  const swap = [
    "BEGIN",
    `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ${quoteLiteral(database)} AND pid <> pg_backend_pid()`,
    `ALTER DATABASE ${live} RENAME TO ${quoteIdent(outgoing)}`,
    `ALTER DATABASE ${quoteIdent(incoming)} RENAME TO ${live}`,
    "COMMIT",
  ].join("; ");
  for (let attempt = 1; ; attempt++) {
    try {
      await psqlValue(admin, swap);
      return;
    } catch (error) {
      const busy = error instanceof Error && /being accessed by other users/.test(error.message);
      if (!busy || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/**
 * Cleans up after a restore that was killed: drops its scratch copies (`<db>_shipsafe_in_*`, a
 * pg_restore still writing into one is disconnected) and the old database a finished swap left
 * (`<db>_shipsafe_old_*`). Should the live name be missing (a swap by an older shipsafe, in two
 * steps, killed between them), the old database is renamed back first: the live data is never
 * dropped. A live database left refusing connections by such a run is opened again.
 */
async function recoverInterruptedRestore(admin: PgConnection, database: string): Promise<void> {
  const rows = await psqlValue(
    admin,
    `SELECT datname || '|' || datallowconn FROM pg_database WHERE datname = ${quoteLiteral(database)} OR starts_with(datname, ${quoteLiteral(database + INCOMING)}) OR starts_with(datname, ${quoteLiteral(database + OUTGOING)}) ORDER BY datname`,
  );
  const found = rows
    .split("\n")
    .filter((line) => line.includes("|"))
    .map((line) => {
      const at = line.lastIndexOf("|");
      return { name: line.slice(0, at), allowConn: line.slice(at + 1) === "t" };
    });
  const leftovers = found.filter((d) => d.name !== database);
  if (leftovers.length === 0) return;
  let live = found.find((d) => d.name === database);
  if (!live) {
    const old = leftovers.find((d) => d.name.startsWith(database + OUTGOING));
    if (old) {
      await psqlValue(
        admin,
        `ALTER DATABASE ${quoteIdent(old.name)} RENAME TO ${quoteIdent(database)}`,
      );
      live = { name: database, allowConn: old.allowConn };
      leftovers.splice(leftovers.indexOf(old), 1);
    }
  }
  if (live && !live.allowConn) {
    await psqlValue(admin, `ALTER DATABASE ${quoteIdent(database)} ALLOW_CONNECTIONS true`);
  }
  for (const leftover of leftovers) await dropDatabase(admin, leftover.name);
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function compareFacts(manifest: AssetManifest, facts: PostgresFacts): string[] {
  const expected = (manifest.details.tables ?? {}) as Record<string, number>;
  const problems: string[] = [];
  for (const [table, rows] of Object.entries(expected)) {
    if (facts.tables[table] !== rows)
      problems.push(`rows ${table}: ${facts.tables[table] ?? "missing"} (manifest ${rows})`);
  }
  for (const table of Object.keys(facts.tables)) {
    if (!(table in expected)) problems.push(`unexpected table ${table}`);
  }
  if (
    manifest.details.schemaFingerprint &&
    manifest.details.schemaFingerprint !== facts.schemaFingerprint
  ) {
    problems.push("schema fingerprint differs");
  }
  return problems;
}

async function dropDatabase(admin: PgConnection, name: string): Promise<void> {
  await psqlValue(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

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
 * A PostgreSQL database as a state asset. Capture: `pg_dump --format=custom` inside an exported
 * snapshot, so the row counts in the manifest describe exactly the dumped data. Restore: into a fresh
 * database, checked, then swapped in by rename — a failed restore never leaves the live database
 * half-written.
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
      await runPgTool(
        "pg_restore",
        [
          "--no-owner",
          "--no-privileges",
          "--exit-on-error",
          "--dbname",
          fresh.url,
          join(dir, dumpName),
        ],
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
            "--no-privileges",
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
      const suffix = randomBytes(4).toString("hex");
      const incoming = `${conn.database}_shipsafe_in_${suffix}`;
      const outgoing = `${conn.database}_shipsafe_old_${suffix}`;
      await restoreToFresh(dir, manifest, incoming);
      const live = quoteIdent(conn.database);
      await psqlValue(admin, `ALTER DATABASE ${live} ALLOW_CONNECTIONS false`);
      await psqlValue(
        admin,
        `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${conn.database.replace(/'/g, "''")}' AND pid <> pg_backend_pid()`,
      );
      await psqlValue(admin, `ALTER DATABASE ${live} RENAME TO ${quoteIdent(outgoing)}`);
      try {
        await psqlValue(admin, `ALTER DATABASE ${quoteIdent(incoming)} RENAME TO ${live}`);
      } catch (error) {
        // Put the old database back: the live name must never be left empty.
        await psqlValue(admin, `ALTER DATABASE ${quoteIdent(outgoing)} RENAME TO ${live}`);
        await psqlValue(admin, `ALTER DATABASE ${live} ALLOW_CONNECTIONS true`);
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

import type { JsonObject } from "../../../domain/model/json.js";

/**
 * One query for what a manifest records of a PostgreSQL database: exact row counts per table (the
 * `query_to_xml` trick runs a count per table inside this one statement, so inside one snapshot) and
 * a fingerprint of the schema (columns, types, nullability). Tables of `public` are named bare.
 */
export const FACTS_SQL = `
SELECT json_build_object(
  'tables', coalesce((
    SELECT json_object_agg(
      CASE WHEN table_schema = 'public' THEN table_name ELSE table_schema || '.' || table_name END,
      (xpath('/row/c/text()', query_to_xml(
        format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint)
    FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
  ), '{}'::json),
  'schemaFingerprint', coalesce((
    SELECT md5(string_agg(
      table_schema || '.' || table_name || '.' || column_name || ':' || data_type || ':' || is_nullable,
      ',' ORDER BY table_schema, table_name, column_name))
    FROM information_schema.columns
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
  ), ''),
  'serverVersion', current_setting('server_version')
)::text`;

export interface PostgresFacts {
  readonly tables: Record<string, number>;
  readonly schemaFingerprint: string;
  readonly serverVersion: string;
}

export function parseFacts(text: string): PostgresFacts {
  const parsed = JSON.parse(text) as PostgresFacts;
  return {
    tables: Object.fromEntries(Object.entries(parsed.tables).map(([k, v]) => [k, Number(v)])),
    schemaFingerprint: parsed.schemaFingerprint,
    serverVersion: parsed.serverVersion,
  };
}

export function factsDetails(facts: PostgresFacts): JsonObject {
  return {
    schemaVersion: null,
    schemaFingerprint: facts.schemaFingerprint,
    serverVersion: facts.serverVersion,
    tables: facts.tables,
  };
}

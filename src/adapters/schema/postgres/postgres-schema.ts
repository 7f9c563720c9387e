import type { DatabaseSchema } from "../../../domain/schema/schema.js";

/**
 * One catalog query that returns the whole schema as JSON: tables (relkind r/p) with columns
 * (format_type, NOT NULL, default/identity/generated), primary key, unique / foreign key / check
 * constraints, the indexes no constraint owns, and views (v/m) with their columns and definition.
 * Objects of `public` are named bare, others `schema.name`; system schemas and extensions' own
 * objects are left out.
 */
export const SCHEMA_SQL = `
WITH rel AS (
  SELECT c.oid, c.relkind,
    CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND NOT c.relispartition
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
cols AS (
  SELECT a.attrelid, json_agg(json_build_object(
    'name', a.attname,
    'type', format_type(a.atttypid, a.atttypmod),
    'nullable', NOT a.attnotnull,
    'hasDefault', a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
  ) ORDER BY a.attnum) AS list
  FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid
  WHERE a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
keycols AS (
  SELECT con.oid, json_agg(a.attname ORDER BY k.ord) AS list
  FROM pg_constraint con
  CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
  GROUP BY con.oid
),
refcols AS (
  SELECT con.oid, json_agg(a.attname ORDER BY k.ord) AS list
  FROM pg_constraint con
  CROSS JOIN LATERAL unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
  WHERE con.contype = 'f'
  GROUP BY con.oid
),
cons AS (
  SELECT con.conrelid,
    (SELECT kc.list FROM keycols kc JOIN pg_constraint p ON p.oid = kc.oid
      WHERE p.conrelid = con.conrelid AND p.contype = 'p') AS pk,
    coalesce(json_agg(json_build_object('name', con.conname, 'columns', kc.list))
      FILTER (WHERE con.contype = 'u'), '[]') AS uniques,
    coalesce(json_agg(json_build_object('name', con.conname, 'columns', kc.list,
      'references', json_build_object(
        'table', (SELECT name FROM rel WHERE rel.oid = con.confrelid),
        'columns', rc.list)))
      FILTER (WHERE con.contype = 'f'), '[]') AS fks,
    coalesce(json_agg(json_build_object('name', con.conname,
      'expression', pg_get_constraintdef(con.oid, true)))
      FILTER (WHERE con.contype = 'c'), '[]') AS checks
  FROM pg_constraint con
  LEFT JOIN keycols kc ON kc.oid = con.oid
  LEFT JOIN refcols rc ON rc.oid = con.oid
  WHERE con.conrelid IN (SELECT oid FROM rel)
  GROUP BY con.conrelid
),
idx AS (
  SELECT i.indrelid, json_agg(json_build_object(
    'name', ic.relname,
    'columns', (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ORDER BY k)
                FROM generate_series(1, i.indnkeyatts) AS k),
    'unique', i.indisunique,
    'predicate', pg_get_expr(i.indpred, i.indrelid, true)
  )) AS list
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE i.indrelid IN (SELECT oid FROM rel)
    AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                    AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
  GROUP BY i.indrelid
)
SELECT json_build_object(
  'tables', coalesce((SELECT json_agg(json_build_object(
      'name', rel.name,
      'columns', coalesce(cols.list, '[]'),
      'primaryKey', coalesce(cons.pk, '[]'),
      'uniques', coalesce(cons.uniques, '[]'),
      'foreignKeys', coalesce(cons.fks, '[]'),
      'checks', coalesce(cons.checks, '[]'),
      'indexes', coalesce(idx.list, '[]')) ORDER BY rel.name)
    FROM rel LEFT JOIN cols ON cols.attrelid = rel.oid
      LEFT JOIN cons ON cons.conrelid = rel.oid LEFT JOIN idx ON idx.indrelid = rel.oid
    WHERE rel.relkind IN ('r', 'p')), '[]'),
  'views', coalesce((SELECT json_agg(json_build_object(
      'name', rel.name,
      'columns', (SELECT json_agg(c->>'name') FROM json_array_elements(cols.list) c),
      'definition', pg_get_viewdef(rel.oid, true)) ORDER BY rel.name)
    FROM rel LEFT JOIN cols ON cols.attrelid = rel.oid
    WHERE rel.relkind IN ('v', 'm')), '[]')
)::text`;

/** Reads the schema through a query function that returns the single text value of a query. */
export async function readPostgresSchema(
  queryValue: (sql: string) => Promise<string>,
): Promise<DatabaseSchema> {
  const parsed = JSON.parse(await queryValue(SCHEMA_SQL)) as DatabaseSchema;
  return {
    tables: parsed.tables.map((t) => ({ ...t, primaryKey: t.primaryKey ?? [] })),
    views: parsed.views.map((v) => ({ ...v, columns: v.columns ?? [] })),
  };
}

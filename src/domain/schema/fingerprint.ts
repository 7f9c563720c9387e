import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import type { DatabaseSchema, Table } from "./schema.js";

const byName = <T extends { readonly name: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * The schema with every named collection sorted by name, so two inspections of the same database
 * compare equal whatever order the catalog returned. Key column lists keep their order: it means
 * something.
 */
export function canonicalSchema(schema: DatabaseSchema): DatabaseSchema {
  const table = (t: Table): Table => ({
    name: t.name,
    columns: byName(t.columns),
    primaryKey: [...t.primaryKey],
    uniques: byName(t.uniques),
    foreignKeys: byName(t.foreignKeys),
    checks: byName(t.checks),
    indexes: byName(t.indexes),
  });
  return { tables: byName(schema.tables).map(table), views: byName(schema.views) };
}

/** sha256 (hex) of the canonical JSON of the canonical schema: equal schemas, equal fingerprints. */
export function schemaFingerprint(schema: DatabaseSchema): string {
  return createHash("sha256")
    .update(canonicalJson(canonicalSchema(schema)))
    .digest("hex");
}

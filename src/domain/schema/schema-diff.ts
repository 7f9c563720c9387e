import type { Column, DatabaseSchema, Index, Table, View } from "./schema.js";

/** What a change means for code written against the old schema. */
export type ChangeEffect = "additive" | "breaking";

export type SchemaChangeKind =
  | "add-table"
  | "drop-table"
  | "rename-table"
  | "add-column"
  | "drop-column"
  | "rename-column"
  | "change-type"
  | "set-not-null"
  | "drop-not-null"
  | "add-default"
  | "drop-default"
  | "change-primary-key"
  | "add-unique"
  | "drop-unique"
  | "add-foreign-key"
  | "drop-foreign-key"
  | "add-check"
  | "drop-check"
  | "add-index"
  | "drop-index"
  | "add-view"
  | "drop-view"
  | "change-view";

export interface SchemaChange {
  readonly kind: SchemaChangeKind;
  /** What changed: `table orders`, `column users.email`, `index orders_by_day`. */
  readonly subject: string;
  readonly effect: ChangeEffect;
  /** `adds nullable column users.email`, `drops column orders.note`, ... */
  readonly reason: string;
}

const keyed = <T extends { readonly name: string }>(items: readonly T[]): Map<string, T> =>
  new Map(items.map((item) => [item.name, item]));

const list = (items: readonly string[]): string => items.join(", ");

const change = (
  kind: SchemaChangeKind,
  subject: string,
  effect: ChangeEffect,
  reason: string,
): SchemaChange => ({ kind, subject, effect, reason });

/**
 * Every change from `before` to `after`, judged for code written against `before`: additive
 * changes leave it working (new tables, nullable or defaulted columns, indexes, views, relaxed
 * constraints), breaking ones may not (drops, renames, type changes, NOT NULL without default, new
 * constraints existing writes may violate). A table or column that disappears while one with the
 * same shape appears is reported as a rename. Deterministic: sorted by subject then kind.
 */
export function diffSchemas(before: DatabaseSchema, after: DatabaseSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const old = keyed(before.tables);
  const now = keyed(after.tables);
  const dropped = before.tables.filter((t) => !now.has(t.name));
  const added = after.tables.filter((t) => !old.has(t.name));
  for (const table of dropped) {
    const twin = added.findIndex((t) => tableShape(t) === tableShape(table));
    if (twin >= 0) {
      const [renamed] = added.splice(twin, 1) as [Table];
      changes.push(
        change(
          "rename-table",
          `table ${table.name}`,
          "breaking",
          `renames table ${table.name} to ${renamed.name}`,
        ),
      );
    } else {
      changes.push(
        change("drop-table", `table ${table.name}`, "breaking", `drops table ${table.name}`),
      );
    }
  }
  for (const table of added) {
    changes.push(
      change("add-table", `table ${table.name}`, "additive", `adds table ${table.name}`),
    );
  }
  for (const table of before.tables) {
    const next = now.get(table.name);
    if (next) changes.push(...diffTable(table, next));
  }
  changes.push(...diffViews(before.views, after.views));
  return changes.sort((a, b) =>
    a.subject === b.subject ? a.kind.localeCompare(b.kind) : a.subject < b.subject ? -1 : 1,
  );
}

function tableShape(table: Table): string {
  return [...table.columns]
    .map((c) => `${c.name}:${c.type}`)
    .sort()
    .join(",");
}

function diffTable(before: Table, after: Table): SchemaChange[] {
  const t = before.name;
  const changes: SchemaChange[] = [];
  const old = keyed(before.columns);
  const now = keyed(after.columns);
  const dropped = before.columns.filter((c) => !now.has(c.name));
  const added = after.columns.filter((c) => !old.has(c.name));
  for (const column of dropped) {
    const twin = added.findIndex((c) => sameShape(c, column));
    if (twin >= 0) {
      const [renamed] = added.splice(twin, 1) as [Column];
      changes.push(
        change(
          "rename-column",
          `column ${t}.${column.name}`,
          "breaking",
          `renames column ${t}.${column.name} to ${renamed.name}`,
        ),
      );
    } else {
      changes.push(
        change(
          "drop-column",
          `column ${t}.${column.name}`,
          "breaking",
          `drops column ${t}.${column.name}`,
        ),
      );
    }
  }
  for (const column of added) changes.push(addedColumn(t, column));
  for (const column of before.columns) {
    const next = now.get(column.name);
    if (next) changes.push(...diffColumn(t, column, next));
  }
  if (list(before.primaryKey) !== list(after.primaryKey)) {
    changes.push(
      change(
        "change-primary-key",
        `primary key of ${t}`,
        "breaking",
        `changes the primary key of ${t} from (${list(before.primaryKey)}) to (${list(after.primaryKey)})`,
      ),
    );
  }
  changes.push(
    ...diffNamed(
      t,
      before.uniques,
      after.uniques,
      (u) => list(u.columns),
      "unique",
      (u) => `unique constraint ${u.name} on ${t} (${list(u.columns)})`,
    ),
    ...diffNamed(
      t,
      before.foreignKeys,
      after.foreignKeys,
      (f) => `${list(f.columns)}->${f.references.table}(${list(f.references.columns)})`,
      "foreign-key",
      (f) =>
        `foreign key ${f.name} ${t} (${list(f.columns)}) → ${f.references.table} (${list(f.references.columns)})`,
    ),
    ...diffNamed(
      t,
      before.checks,
      after.checks,
      (c) => c.expression,
      "check",
      (c) => `check ${c.name} on ${t} ${c.expression}`,
    ),
    ...diffIndexes(t, before.indexes, after.indexes),
  );
  return changes;
}

function sameShape(a: Column, b: Column): boolean {
  return a.type === b.type && a.nullable === b.nullable && a.hasDefault === b.hasDefault;
}

function addedColumn(table: string, column: Column): SchemaChange {
  const subject = `column ${table}.${column.name}`;
  if (!column.nullable && !column.hasDefault) {
    return change(
      "add-column",
      subject,
      "breaking",
      `adds NOT NULL column ${table}.${column.name} without a default: old inserts fail`,
    );
  }
  const how = column.nullable ? "nullable" : "defaulted";
  return change("add-column", subject, "additive", `adds ${how} column ${table}.${column.name}`);
}

function diffColumn(table: string, before: Column, after: Column): SchemaChange[] {
  const subject = `column ${table}.${before.name}`;
  const name = `${table}.${before.name}`;
  const changes: SchemaChange[] = [];
  if (before.type !== after.type) {
    changes.push(
      change(
        "change-type",
        subject,
        "breaking",
        `changes the type of ${name} from ${before.type} to ${after.type}`,
      ),
    );
  }
  if (before.nullable && !after.nullable) {
    changes.push(
      change("set-not-null", subject, "breaking", `sets NOT NULL on ${name}: old inserts may fail`),
    );
  }
  if (!before.nullable && after.nullable) {
    changes.push(change("drop-not-null", subject, "additive", `drops NOT NULL on ${name}`));
  }
  if (!before.hasDefault && after.hasDefault) {
    changes.push(change("add-default", subject, "additive", `adds a default to ${name}`));
  }
  if (before.hasDefault && !after.hasDefault) {
    changes.push(
      change(
        "drop-default",
        subject,
        "breaking",
        `drops the default of ${name}: old inserts that omit it change meaning or fail`,
      ),
    );
  }
  return changes;
}

/**
 * Constraints are matched by what they enforce, not by name (a renamed constraint is no change to
 * the code). A new one is breaking: rows old code writes may violate it. A dropped one relaxes.
 */
function diffNamed<T extends { readonly name: string }>(
  table: string,
  before: readonly T[],
  after: readonly T[],
  key: (item: T) => string,
  what: "unique" | "foreign-key" | "check",
  describe: (item: T) => string,
): SchemaChange[] {
  const oldKeys = new Set(before.map(key));
  const newKeys = new Set(after.map(key));
  const added = after.filter((item) => !oldKeys.has(key(item)));
  const dropped = before.filter((item) => !newKeys.has(key(item)));
  return [
    ...added.map((item) =>
      change(
        `add-${what}`,
        `${what} ${table}.${item.name}`,
        "breaking",
        `adds ${describe(item)}: rows old code writes may violate it`,
      ),
    ),
    ...dropped.map((item) =>
      change(
        `drop-${what}`,
        `${what} ${table}.${item.name}`,
        "additive",
        `drops ${describe(item)}`,
      ),
    ),
  ];
}

function indexKey(index: Index): string {
  return `${index.unique}|${list(index.columns)}|${index.predicate ?? ""}`;
}

function diffIndexes(table: string, before: readonly Index[], after: readonly Index[]) {
  const oldKeys = new Map(before.map((i) => [indexKey(i), i]));
  const newKeys = new Map(after.map((i) => [indexKey(i), i]));
  const changes: SchemaChange[] = [];
  for (const [key, index] of newKeys) {
    if (oldKeys.has(key)) continue;
    const what = `${index.unique ? "unique index" : "index"} ${index.name} on ${table} (${list(index.columns)})`;
    changes.push(
      index.unique
        ? change(
            "add-index",
            `index ${index.name}`,
            "breaking",
            `adds ${what}: rows old code writes may violate it`,
          )
        : change("add-index", `index ${index.name}`, "additive", `adds ${what}`),
    );
  }
  for (const [key, index] of oldKeys) {
    if (newKeys.has(key)) continue;
    changes.push(
      change(
        "drop-index",
        `index ${index.name}`,
        "additive",
        `drops index ${index.name} on ${table} (old code still works; its queries may slow)`,
      ),
    );
  }
  return changes;
}

function diffViews(before: readonly View[], after: readonly View[]): SchemaChange[] {
  const old = keyed(before);
  const now = keyed(after);
  const changes: SchemaChange[] = [];
  for (const view of before) {
    const next = now.get(view.name);
    if (!next) {
      changes.push(change("drop-view", `view ${view.name}`, "breaking", `drops view ${view.name}`));
    } else if (next.definition !== view.definition || list(next.columns) !== list(view.columns)) {
      const kept = view.columns.every((c) => next.columns.includes(c));
      changes.push(
        kept
          ? change(
              "change-view",
              `view ${view.name}`,
              "additive",
              `redefines view ${view.name}, keeping its columns`,
            )
          : change(
              "change-view",
              `view ${view.name}`,
              "breaking",
              `redefines view ${view.name} without column(s) ${view.columns.filter((c) => !next.columns.includes(c)).join(", ")}`,
            ),
      );
    }
  }
  for (const view of after) {
    if (!old.has(view.name)) {
      changes.push(change("add-view", `view ${view.name}`, "additive", `adds view ${view.name}`));
    }
  }
  return changes;
}

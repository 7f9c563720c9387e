import type { JsonObject, JsonValue } from "../model/json.js";
import type { MigrationVerdict } from "./migration.js";

/** The static pass's judgement of one statement, from its parse tree alone. */
export interface StaticJudgement {
  readonly verdict: MigrationVerdict;
  readonly reason: string;
  /**
   * Everything the statement does shows in the schema, so the schema diff of the truth test may
   * settle an `unknown` (false for data changes, DO blocks, triggers, function calls).
   */
  readonly schemaOnly: boolean;
}

type Body = { readonly [key: string]: JsonValue };

const judge = (verdict: MigrationVerdict, reason: string, schemaOnly = true): StaticJudgement => ({
  verdict,
  reason,
  schemaOnly,
});

const obj = (value: JsonValue | undefined): Body =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
const arr = (value: JsonValue | undefined): readonly JsonValue[] =>
  Array.isArray(value) ? value : [];
const str = (value: JsonValue | undefined): string => (typeof value === "string" ? value : "");

/** The single `{ Type: body }` of a node. */
function unwrap(value: JsonValue | undefined): [string, Body] {
  const entries = Object.entries(obj(value));
  const first = entries[0];
  return first ? [first[0], obj(first[1])] : ["", {}];
}

/** `orders`, or `billing.invoices` outside `public`. */
function relation(rangeVar: JsonValue | undefined): string {
  const r = obj(rangeVar);
  const schema = str(r.schemaname);
  const name = str(r.relname);
  return schema && schema !== "public" ? `${schema}.${name}` : name;
}

/** A dotted name from a list of String nodes (`DropStmt.objects`, `TypeName.names`). */
function dotted(names: JsonValue | undefined): string {
  return arr(names)
    .map((n) => str(unwrap(n)[1].sval))
    .filter((s) => s && s !== "pg_catalog" && s !== "public")
    .join(".");
}

function dropObjectName(object: JsonValue): string {
  const [type, body] = unwrap(object);
  if (type === "List") return dotted(body.items);
  if (type === "String") return str(body.sval);
  if (type === "TypeName") return dotted(body.names);
  if (type === "ObjectWithArgs") return dotted(body.objname);
  return type;
}

const CONSTRAINT_WORDS: Readonly<Record<string, string>> = {
  CONSTR_FOREIGN: "foreign key",
  CONSTR_CHECK: "check",
  CONSTR_UNIQUE: "unique constraint",
  CONSTR_PRIMARY: "primary key",
  CONSTR_EXCLUSION: "exclusion constraint",
};

/** Statement kinds judged by kind alone: verdict, reason (`{}` is the object), schema-only. */
const BY_KIND: Readonly<Record<string, readonly [MigrationVerdict, string, boolean]>> = {
  CreateSeqStmt: ["additive", "creates a sequence", true],
  AlterSeqStmt: ["additive", "alters a sequence", true],
  CreateEnumStmt: ["additive", "creates an enum type", true],
  AlterEnumStmt: ["additive", "alters an enum type (adds or renames a value)", true],
  CompositeTypeStmt: ["additive", "creates a composite type", true],
  CreateDomainStmt: ["additive", "creates a domain type", true],
  CreateSchemaStmt: ["additive", "creates a schema", true],
  CreateExtensionStmt: ["additive", "creates an extension", true],
  CreateFunctionStmt: ["additive", "creates a function", true],
  CommentStmt: ["additive", "sets a comment", true],
  GrantStmt: ["additive", "changes privileges", true],
  TransactionStmt: ["additive", "transaction control", true],
  VariableSetStmt: ["additive", "sets a session setting", true],
  DoStmt: ["unknown", "runs a DO block: what it does cannot be read statically", false],
  CreateTrigStmt: ["unknown", "creates a trigger: it changes what writes do", false],
  CreatePolicyStmt: ["unknown", "creates a row-level security policy", false],
  SelectStmt: ["unknown", "runs a query: functions it calls may change data", false],
  CallStmt: ["unknown", "calls a procedure: what it does cannot be read statically", false],
  CopyStmt: ["unknown", "copies data: the schema diff cannot see it", false],
};

/**
 * Judges one statement from its parse tree: additive (new tables, nullable or defaulted columns,
 * indexes, views), breaking (drops, renames, type changes, NOT NULL, new constraints, deletes) or
 * unknown (data rewrites, DO blocks, anything not recognised). Pure: the tree is plain data.
 */
export function classifyStatement(tree: JsonObject): StaticJudgement {
  const [kind, body] = unwrap(tree);
  switch (kind) {
    case "CreateStmt":
      return judge("additive", `creates table ${relation(body.relation)}`);
    case "CreateTableAsStmt":
      return judge(
        "additive",
        `creates ${str(body.objtype) === "OBJECT_MATVIEW" ? "materialized view" : "table"} ${relation(obj(body.into).rel)} from a query`,
      );
    case "ViewStmt":
      return body.replace === true
        ? judge("unknown", `replaces view ${relation(body.view)}: its columns may change`)
        : judge("additive", `creates view ${relation(body.view)}`);
    case "IndexStmt":
      return indexJudgement(body);
    case "AlterTableStmt":
      return alterTableJudgement(body);
    case "RenameStmt":
      return renameJudgement(body);
    case "DropStmt":
      return dropJudgement(body);
    case "UpdateStmt":
      return judge(
        "unknown",
        `rewrites data in ${relation(body.relation)} (UPDATE): the schema diff cannot see it`,
        false,
      );
    case "InsertStmt":
      return judge(
        "unknown",
        `writes data into ${relation(body.relation)} (INSERT): the schema diff cannot see it`,
        false,
      );
    case "MergeStmt":
      return judge("unknown", `merges data into ${relation(body.relation)}`, false);
    case "DeleteStmt":
      return judge("breaking", `deletes rows from ${relation(body.relation)}`, false);
    case "TruncateStmt":
      return judge(
        "breaking",
        `truncates ${arr(body.relations).map(relation).join(", ")}: its rows are lost`,
        false,
      );
    default: {
      const known = BY_KIND[kind];
      if (known) return judge(known[0], known[1], known[2]);
      return judge("unknown", `${kind || "the statement"} is not classified statically`, false);
    }
  }
}

function indexJudgement(body: Body): StaticJudgement {
  const name = str(body.idxname) || "(unnamed)";
  const how = body.concurrent === true ? " concurrently" : "";
  const on = relation(body.relation);
  return body.unique === true
    ? judge(
        "breaking",
        `creates unique index ${name} on ${on}${how}: rows old code writes may violate it`,
      )
    : judge("additive", `creates index ${name} on ${on}${how}`);
}

function alterTableJudgement(body: Body): StaticJudgement {
  const table = relation(body.relation);
  const judgements = arr(body.cmds).map((cmd) => alterCommandJudgement(table, unwrap(cmd)[1]));
  const worst =
    judgements.find((j) => j.verdict === "breaking") ??
    judgements.find((j) => j.verdict === "unknown") ??
    judgements[0];
  if (!worst) return judge("unknown", `alters table ${table} without a command`);
  const others = judgements.filter((j) => j !== worst).map((j) => j.reason);
  return judge(
    worst.verdict,
    [worst.reason, ...others].join("; "),
    judgements.every((j) => j.schemaOnly),
  );
}

function alterCommandJudgement(table: string, cmd: Body): StaticJudgement {
  const column = `${table}.${str(cmd.name)}`;
  switch (str(cmd.subtype)) {
    case "AT_AddColumn":
      return addColumnJudgement(table, obj(unwrap(cmd.def)[1]));
    case "AT_DropColumn":
      return judge("breaking", `drops column ${column}`);
    case "AT_AlterColumnType":
      return judge(
        "breaking",
        `changes the type of ${column} to ${dotted(obj(obj(unwrap(cmd.def)[1]).typeName).names)}`,
      );
    case "AT_SetNotNull":
      return judge("breaking", `sets NOT NULL on ${column}: old inserts may fail`);
    case "AT_DropNotNull":
      return judge("additive", `drops NOT NULL on ${column}`);
    case "AT_ColumnDefault":
      return cmd.def === undefined
        ? judge("breaking", `drops the default of ${column}: old inserts that omit it change`)
        : judge("additive", `sets a default on ${column}`);
    case "AT_AddConstraint": {
      const [, constraint] = unwrap(cmd.def);
      const word = CONSTRAINT_WORDS[str(constraint.contype)];
      if (!word)
        return judge("unknown", `adds a ${str(constraint.contype)} constraint to ${table}`);
      const name = str(constraint.conname);
      return judge(
        "breaking",
        `adds ${word}${name ? ` ${name}` : ""} on ${table}: rows old code writes may violate it`,
      );
    }
    case "AT_DropConstraint":
      return judge("additive", `drops constraint ${str(cmd.name)} of ${table}`);
    case "AT_ValidateConstraint":
      return judge("additive", `validates constraint ${str(cmd.name)} of ${table}`);
    case "AT_SetStatistics":
    case "AT_SetStorage":
    case "AT_SetCompression":
    case "AT_ClusterOn":
    case "AT_DropCluster":
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions":
    case "AT_SetOptions":
    case "AT_ResetOptions":
      return judge("additive", `changes a storage or planner setting of ${table}`);
    default:
      return judge("unknown", `alters table ${table} (${str(cmd.subtype)})`);
  }
}

function addColumnJudgement(table: string, def: Body): StaticJudgement {
  const column = `${table}.${str(def.colname)}`;
  const kinds = arr(def.constraints).map((c) => str(unwrap(c)[1].contype));
  const added = kinds.map((k) => CONSTRAINT_WORDS[k]).filter((w): w is string => Boolean(w));
  if (added.length > 0) {
    return judge(
      "breaking",
      `adds column ${column} with a ${added.join(", ")}: rows old code writes may violate it`,
    );
  }
  const defaulted = kinds.some((k) =>
    ["CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"].includes(k),
  );
  if (kinds.includes("CONSTR_NOTNULL") && !defaulted) {
    return judge("breaking", `adds NOT NULL column ${column} without a default: old inserts fail`);
  }
  return judge(
    "additive",
    `adds ${kinds.includes("CONSTR_NOTNULL") ? "defaulted" : "nullable"} column ${column}`,
  );
}

function renameJudgement(body: Body): StaticJudgement {
  const on = relation(body.relation);
  const to = str(body.newname);
  switch (str(body.renameType)) {
    case "OBJECT_COLUMN":
      return judge("breaking", `renames column ${on}.${str(body.subname)} to ${to}`);
    case "OBJECT_TABLE":
      return judge("breaking", `renames table ${on} to ${to}`);
    case "OBJECT_VIEW":
    case "OBJECT_MATVIEW":
      return judge("breaking", `renames view ${on} to ${to}`);
    case "OBJECT_INDEX":
      return judge("additive", `renames index ${on} to ${to}`);
    case "OBJECT_TABCONSTRAINT":
      return judge("additive", `renames constraint ${str(body.subname)} of ${on} to ${to}`);
    default:
      return judge("unknown", `renames a ${str(body.renameType)} to ${to}`);
  }
}

const DROP_WORDS: Readonly<Record<string, readonly [MigrationVerdict, string]>> = {
  OBJECT_TABLE: ["breaking", "table"],
  OBJECT_VIEW: ["breaking", "view"],
  OBJECT_MATVIEW: ["breaking", "materialized view"],
  OBJECT_SEQUENCE: ["breaking", "sequence"],
  OBJECT_TYPE: ["breaking", "type"],
  OBJECT_FUNCTION: ["breaking", "function"],
  OBJECT_SCHEMA: ["breaking", "schema"],
  OBJECT_INDEX: ["additive", "index"],
};

function dropJudgement(body: Body): StaticJudgement {
  const names = arr(body.objects).map(dropObjectName).join(", ");
  const known = DROP_WORDS[str(body.removeType)];
  if (!known) return judge("unknown", `drops ${str(body.removeType)} ${names}`);
  const [verdict, word] = known;
  const tail = verdict === "additive" ? " (old code still works; its queries may slow)" : "";
  return judge(verdict, `drops ${word} ${names}${tail}`);
}

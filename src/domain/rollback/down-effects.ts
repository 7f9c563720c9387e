/** What running a down-migration discards: tables it drops, columns it drops, rows it deletes. */
export interface DownEffect {
  readonly kind: "drops-table" | "drops-column" | "deletes-rows";
  readonly table: string;
  readonly column?: string;
  /** The statement, whitespace collapsed. */
  readonly statement: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const QUALIFIED = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)`;
const IF_EXISTS = String.raw`(?:IF\s+EXISTS\s+)?`;

const DROP_TABLE = new RegExp(
  String.raw`^DROP\s+TABLE\s+${IF_EXISTS}(.+?)(?:\s+(?:CASCADE|RESTRICT))?$`,
  "i",
);
const ALTER_TABLE = new RegExp(
  String.raw`^ALTER\s+TABLE\s+(?:ONLY\s+)?${IF_EXISTS}${QUALIFIED}\s+(.*)$`,
  "is",
);
const DROP_COLUMN = new RegExp(String.raw`DROP\s+(?:COLUMN\s+)?${IF_EXISTS}(${IDENT})`, "gi");
const DELETE = new RegExp(
  String.raw`^(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?${QUALIFIED}`,
  "i",
);

/**
 * Reads a down-migration's SQL for the statements that discard data. A static reading: it names
 * what the down drops so the plan can state it, it does not decide whether the down is safe (the
 * round-trip check does that).
 */
export function downEffects(sql: string): DownEffect[] {
  const effects: DownEffect[] = [];
  for (const raw of splitStatements(sql)) {
    const statement = raw.replace(/\s+/g, " ").trim();
    const dropTable = DROP_TABLE.exec(statement);
    if (dropTable?.[1]) {
      for (const table of dropTable[1].split(",")) {
        effects.push({ kind: "drops-table", table: unquote(table), statement });
      }
      continue;
    }
    const alter = ALTER_TABLE.exec(statement);
    if (alter?.[1] && alter[2]) {
      const table = unquote(alter[1]);
      for (const clause of alter[2].split(",")) {
        const trimmed = clause.trim();
        if (
          !/^DROP\s+/i.test(trimmed) ||
          /^DROP\s+(CONSTRAINT|DEFAULT|NOT\s+NULL)\b/i.test(trimmed)
        )
          continue;
        DROP_COLUMN.lastIndex = 0;
        const column = DROP_COLUMN.exec(trimmed);
        if (column?.[1]) {
          effects.push({ kind: "drops-column", table, column: unquote(column[1]), statement });
        }
      }
      continue;
    }
    const deleted = DELETE.exec(statement);
    if (deleted?.[1]) effects.push({ kind: "deletes-rows", table: unquote(deleted[1]), statement });
  }
  return effects;
}

/** Splits SQL on `;` outside quotes, dollar-quoted bodies and comments; drops empty statements. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const rest = sql.slice(i);
    if (rest.startsWith("--")) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
      current += " ";
      continue;
    }
    if (rest.startsWith("/*")) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
      current += " ";
      continue;
    }
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end === -1 ? sql.length : end + dollar[0].length;
      current += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      current += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === ";") {
      if (current.trim()) statements.push(current.trim());
      current = "";
    } else {
      current += ch;
    }
    i++;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

/** `"Orders"` → `Orders`, `public.orders` → `orders`, `audit.log` → `audit.log` (as row counts name them). */
function unquote(identifier: string): string {
  const parts = (identifier.trim().match(new RegExp(IDENT, "g")) ?? []).map((part) => {
    if (/^".*"$/.test(part)) return part.slice(1, -1).replace(/""/g, '"');
    if (/^`.*`$/.test(part) || /^\[.*\]$/.test(part)) return part.slice(1, -1);
    return part;
  });
  if (parts.length === 2 && parts[0]?.toLowerCase() === "public") return parts[1] as string;
  return parts.join(".");
}

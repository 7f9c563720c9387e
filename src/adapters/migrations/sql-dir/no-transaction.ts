/**
 * PostgreSQL statements that refuse to run inside a transaction block. A migration containing one
 * runs statement by statement outside a transaction (and is recorded afterwards).
 */
const OUTSIDE_TRANSACTION: readonly RegExp[] = [
  /\bCREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i,
  /\bDROP\s+INDEX\s+CONCURRENTLY\b/i,
  /\bREINDEX\b[^;]*\bCONCURRENTLY\b/i,
  /\bREINDEX\s+(\([^)]*\)\s*)?(SYSTEM|DATABASE)\b/i,
  /\bDETACH\s+PARTITION\b[^;]*\bCONCURRENTLY\b/i,
  /\bVACUUM\b/i,
  /\b(CREATE|DROP)\s+DATABASE\b/i,
  /\b(CREATE|DROP)\s+TABLESPACE\b/i,
  /\bALTER\s+SYSTEM\b/i,
];

/** Written in a migration's first lines to force running it outside a transaction. */
export const NO_TRANSACTION_MARKER = /^\s*--\s*shipsafe:no-transaction\b/im;

/**
 * Why `sql` must run outside a transaction (the statement that needs it), or null when it can run
 * in one. Comments and string literals are ignored, so a mention in a comment does not count.
 */
export function needsNoTransaction(sql: string): string | null {
  if (NO_TRANSACTION_MARKER.test(sql)) return "-- shipsafe:no-transaction";
  const code = stripCommentsAndStrings(sql);
  for (const pattern of OUTSIDE_TRANSACTION) {
    const match = pattern.exec(code);
    if (match) return match[0].replace(/\s+/g, " ").trim();
  }
  return null;
}

/** Blanks out line and block comments, '...', "..." and $tag$...$tag$: only SQL keywords remain. */
export function stripCommentsAndStrings(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const end = skipEnd(sql, i);
    if (end > i) {
      out += " ";
      i = end;
    } else {
      out += sql[i];
      i += 1;
    }
  }
  return out;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** Where the comment or quoted text starting at `i` ends (`i` itself when none starts there). */
function skipEnd(sql: string, i: number): number {
  const after = (end: number, length: number): number => (end < 0 ? sql.length : end + length);
  if (sql.startsWith("--", i)) return after(sql.indexOf("\n", i), 0);
  if (sql.startsWith("/*", i)) return after(sql.indexOf("*/", i + 2), 2);
  const quote = sql[i];
  if (quote === "'" || quote === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === quote && sql[j + 1] === quote) j += 2;
      else if (sql[j] === quote) return j + 1;
      else j += 1;
    }
    return sql.length;
  }
  DOLLAR_TAG.lastIndex = i;
  const tag = DOLLAR_TAG.exec(sql);
  if (tag) return after(sql.indexOf(tag[0], i + tag[0].length), tag[0].length);
  return i;
}

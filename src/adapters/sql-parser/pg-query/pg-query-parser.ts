import type { ParsedStatement } from "../../../domain/migrations/parsed-statement.js";
import type { JsonObject } from "../../../domain/model/json.js";
import type { SqlParser } from "../../../ports/sql-parser.js";

/** The subset of libpg-query (WASM build) this adapter uses. */
export interface PgQueryModule {
  loadModule(): Promise<void>;
  parseSync(sql: string): {
    stmts?: { stmt: JsonObject; stmt_location?: number; stmt_len?: number }[];
  };
  scanSync(sql: string): { tokens: { start: number; end: number; tokenName: string }[] };
}

let loaded: Promise<PgQueryModule> | undefined;

/** libpg-query, loaded once: the WASM module compiles on first use (~50 ms). */
function pgQuery(): Promise<PgQueryModule> {
  loaded ??= import("libpg-query").then(async (module) => {
    const m = module as unknown as PgQueryModule;
    await m.loadModule();
    return m;
  });
  return loaded;
}

const isBlank = (sql: string): boolean =>
  sql
    .replace(/--[^\n]*/g, "")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .trim() === "";

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * PostgreSQL's own parser (libpg-query, WASM: no compiler, no download). A migration that parses
 * whole is cut at the parser's statement boundaries; one that does not is cut at the scanner's `;`
 * tokens and each piece parsed alone, so one statement PostgreSQL rejects (SQLite's AUTOINCREMENT,
 * a typo) does not hide the others. Offsets from the parser are UTF-8 byte offsets.
 */
export function createPgQueryParser(load: () => Promise<PgQueryModule> = pgQuery): SqlParser {
  return {
    async parse(sql) {
      const pg = await load();
      const bytes = Buffer.from(sql, "utf8");
      const text = (start: number, end: number) => bytes.subarray(start, end).toString("utf8");
      if (isBlank(sql)) return [];
      try {
        const stmts = pg.parseSync(sql).stmts ?? [];
        return stmts.map((s, index) => {
          const start = s.stmt_location ?? 0;
          const end = s.stmt_len ? start + s.stmt_len : bytes.length;
          return { index, sql: text(start, end).trim(), tree: s.stmt, error: null };
        });
      } catch {
        // Fall through: find the statement(s) the parser rejects.
      }
      let pieces: string[];
      try {
        const cuts = pg
          .scanSync(sql)
          .tokens.filter((t) => t.tokenName === "ASCII_59")
          .map((t) => t.end);
        pieces = [0, ...cuts].map((start, i) => text(start, cuts[i] ?? bytes.length));
      } catch {
        pieces = [sql];
      }
      return pieces
        .filter((piece) => !isBlank(piece))
        .map((piece, index): ParsedStatement => {
          const statement = piece.trim();
          try {
            const tree = pg.parseSync(statement).stmts?.[0]?.stmt ?? null;
            return { index, sql: statement, tree, error: tree ? null : "no statement" };
          } catch (error) {
            return { index, sql: statement, tree: null, error: message(error) };
          }
        });
    },
  };
}

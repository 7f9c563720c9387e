import type { LedgerCheckpoint, LedgerEntry } from "../../domain/model/ledger.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { LedgerStore } from "../../ports/ledger.js";

/** In-memory LedgerStore for use-case tests (the SQLite adapter has its own conformance tests). */
export function memoryLedger(): LedgerStore & {
  rows: LedgerEntry[];
  cps: LedgerCheckpoint[];
} {
  const rows: LedgerEntry[] = [];
  const cps: LedgerCheckpoint[] = [];
  return {
    rows,
    cps,
    append: async (build) => {
      const entry = build(rows.at(-1));
      rows.push(entry);
      return entry;
    },
    last: async () => rows.at(-1),
    async *entries(options = {}) {
      for (const row of rows) if (row.seq >= (options.fromSeq ?? 1)) yield row;
    },
    tail: async (n) => rows.slice(-n),
    count: async () => rows.length,
    addCheckpoint: async (build) => {
      const last = rows.at(-1);
      if (!last) return undefined;
      const cp = build(last);
      cps.push(cp);
      return cp;
    },
    checkpoints: async () => [...cps],
  };
}

/** In-memory EvidenceStore keyed by a fake hash; `docs` can be edited to simulate damage. */
export function memoryEvidence(): EvidenceStore & { docs: Map<string, unknown> } {
  const docs = new Map<string, unknown>();
  return {
    docs,
    put: async (document) => {
      const hash = String(docs.size).padStart(64, "e");
      docs.set(hash, document);
      return hash;
    },
    get: async (hash) => docs.get(hash) as never,
    list: async () => [...docs.keys()],
  };
}

import type Database from "better-sqlite3";
import type { StepJournalEntry } from "../../../domain/model/records.js";
import type { StepJournal } from "../../../ports/store.js";

/** The executor's step journal: every line is kept, read back in the order it was recorded. */
export function sqliteStepJournal(db: Database.Database): StepJournal {
  const insert = db.prepare(
    "INSERT INTO rollback_steps (rollback_id, idx, name, status, at, doc) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const select = db
    .prepare("SELECT doc FROM rollback_steps WHERE rollback_id = ? ORDER BY id")
    .pluck();
  return {
    async record(entry) {
      insert.run(
        entry.rollbackId,
        entry.index,
        entry.name,
        entry.status,
        entry.at,
        JSON.stringify(entry),
      );
    },
    async entries(rollbackId) {
      return (select.all(rollbackId) as string[]).map((doc) => JSON.parse(doc) as StepJournalEntry);
    },
  };
}

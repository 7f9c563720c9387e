import type { JsonValue } from "../domain/model/json.js";

/** Content-addressed storage of evidence documents (JSON), referenced by hash from the ledger. */
export interface EvidenceStore {
  /** Stores the document (canonical JSON) and returns its sha256; storing twice is a no-op. */
  put(document: JsonValue): Promise<string>;
  /** The document, or undefined when no document has that hash. Throws if the file was altered. */
  get(hash: string): Promise<JsonValue | undefined>;
  /** Every stored hash (for verification and export). */
  list(): Promise<string[]>;
}

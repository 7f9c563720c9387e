import { schemaFingerprint } from "../schema/fingerprint.js";
import type { DatabaseSchema } from "../schema/schema.js";
import { diffSchemas, type SchemaChange } from "../schema/schema-diff.js";
import type { Reversibility } from "./migration.js";

/** The schemas a round trip went through: before, after up, after down, after up again. */
export interface RoundTripSchemas {
  readonly before: DatabaseSchema;
  readonly up: DatabaseSchema;
  readonly down: DatabaseSchema;
  readonly reUp: DatabaseSchema;
}

/** What `changes` (from the expected schema to the one found) leave behind, in words. */
export function residue(changes: readonly SchemaChange[]): string {
  return changes
    .map((c) => {
      if (c.kind.startsWith("add-")) return `leaves ${c.subject}`;
      if (c.kind.startsWith("drop-")) return `does not restore ${c.subject}`;
      return `leaves ${c.subject} changed (${c.reason})`;
    })
    .join("; ");
}

function mismatch(expected: DatabaseSchema, found: DatabaseSchema): string {
  const changes = diffSchemas(expected, found);
  if (changes.length > 0) return residue(changes);
  return `leaves the schema different (fingerprint ${schemaFingerprint(found).slice(0, 12)}, expected ${schemaFingerprint(expected).slice(0, 12)})`;
}

/** What down left different from the schema before up (`leaves column users.email`), or null. */
export function downResidue(before: DatabaseSchema, down: DatabaseSchema): string | null {
  return schemaFingerprint(before) === schemaFingerprint(down) ? null : mismatch(before, down);
}

/**
 * Judges up → down → up by schema fingerprint: down must give back the schema from before, and up
 * again the schema the first up gave.
 */
export function judgeRoundTrip(migrationId: string, schemas: RoundTripSchemas): Reversibility {
  const before = schemaFingerprint(schemas.before);
  const up = schemaFingerprint(schemas.up);
  const down = schemaFingerprint(schemas.down);
  const reUp = schemaFingerprint(schemas.reUp);
  if (down !== before) {
    return {
      migrationId,
      status: "non-reversible",
      reason: `down ${mismatch(schemas.before, schemas.down)}`,
    };
  }
  if (reUp !== up) {
    return {
      migrationId,
      status: "non-reversible",
      reason: `up after down ${mismatch(schemas.up, schemas.reUp)}`,
    };
  }
  return {
    migrationId,
    status: "reversible",
    reason: `up → down → up restores schema ${before.slice(0, 12)} and ${up.slice(0, 12)}`,
  };
}

import type { MigrationClassification, Reversibility } from "../domain/migrations/migration.js";

/**
 * What shipsafe learns about migrations before it trusts them: their classification (the parser's
 * static pass, then the truth test on a scratch copy) and whether their down-migrations restore
 * the schema (up → down → up on a scratch copy). Never touches the live database.
 */
export interface MigrationAnalysis {
  /**
   * Classifies `ids` (in apply order) as shipped in `releaseDir`. The truth test applies them to a
   * scratch copy of snapshot `snapshotId` when given, else of the live database.
   */
  classify(
    releaseDir: string,
    ids: readonly string[],
    options?: { readonly snapshotId?: string },
  ): Promise<MigrationClassification[]>;
  /** Runs up → down → up for each of `ids` on a scratch copy and compares schema fingerprints. */
  verifyReversible(
    releaseDir: string,
    ids: readonly string[],
    options?: { readonly snapshotId?: string },
  ): Promise<Reversibility[]>;
}

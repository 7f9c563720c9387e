/** What shipsafe knows about one protected asset's data: schema version and rows per table. */
export interface AssetState {
  readonly name: string;
  readonly schemaVersion?: number | null;
  readonly tables?: Readonly<Record<string, number>>;
}

/** Reads `{ schemaVersion, tables }` out of an asset manifest's free-form details. */
export function assetStateFrom(name: string, details: unknown): AssetState {
  const record = (details ?? {}) as { schemaVersion?: unknown; tables?: unknown };
  const schemaVersion = typeof record.schemaVersion === "number" ? record.schemaVersion : null;
  const tables =
    record.tables && typeof record.tables === "object"
      ? (Object.fromEntries(
          Object.entries(record.tables as Record<string, unknown>).filter(
            (entry): entry is [string, number] => typeof entry[1] === "number",
          ),
        ) as Record<string, number>)
      : undefined;
  return tables === undefined ? { name, schemaVersion } : { name, schemaVersion, tables };
}

/** Human descriptions of how the live schema differs from a snapshot's (empty: same schema). */
export function schemaDifferences(
  snapshot: readonly AssetState[],
  live: readonly AssetState[],
): string[] {
  const differences: string[] = [];
  for (const asset of live) {
    const before = snapshot.find((s) => s.name === asset.name);
    if (!before) continue;
    if (
      before.schemaVersion != null &&
      asset.schemaVersion != null &&
      before.schemaVersion !== asset.schemaVersion
    ) {
      differences.push(
        `${asset.name}: schema version ${before.schemaVersion} → ${asset.schemaVersion}`,
      );
    }
    const beforeTables = Object.keys(before.tables ?? {});
    const liveTables = Object.keys(asset.tables ?? {});
    const added = liveTables.filter((t) => !beforeTables.includes(t));
    const dropped = beforeTables.filter((t) => !liveTables.includes(t));
    if (added.length > 0) differences.push(`${asset.name}: new tables ${added.join(", ")}`);
    if (dropped.length > 0) differences.push(`${asset.name}: dropped tables ${dropped.join(", ")}`);
  }
  return differences;
}

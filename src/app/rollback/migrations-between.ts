import type { MigrationClassification, Reversibility } from "../../domain/migrations/migration.js";
import type {
  MigrationBetween,
  MigrationFacts,
} from "../../domain/rollback/build-rollback-plan.js";
import type { EnvironmentPorts } from "../environment.js";

type Ports = Pick<EnvironmentPorts, "target" | "migrations" | "migrationAnalysis">;
type Runner = NonNullable<EnvironmentPorts["migrations"]>;
type Release = NonNullable<Awaited<ReturnType<EnvironmentPorts["target"]["release"]>>>;

/**
 * The migrations the live database has applied that the target release does not ship (the target
 * release's `unknownApplied`), each classified and, when one is not additive, round-trip checked on
 * a scratch copy of the target's snapshot. The current release's directory has their SQL and downs.
 * Null when migrations are not tracked or nothing is deployed. Never touches the live database
 * beyond reading its migration table; an analysis that fails makes the migration `unknown` /
 * `non-reversible` (the safe side) with the failure as the reason.
 */
export async function migrationsBetween(
  ports: Ports,
  currentVersion: string | null,
  toVersion: string,
  snapshotId: string | null,
): Promise<MigrationFacts | null> {
  const runner = ports.migrations;
  if (!runner || currentVersion === null) return null;
  const [current, target] = await Promise.all([
    ports.target.release(currentVersion),
    ports.target.release(toVersion),
  ]);
  if (!current || !target) return null;
  const state = await runner.status(target.path);
  const ids = [...state.unknownApplied];
  const targetHead = [...state.applied].reverse().find((m) => !ids.includes(m.id))?.id ?? null;
  if (ids.length === 0) return { between: [], targetHead };

  const source = await sourceRelease(ports, runner, current, ids);
  const shipped = source.shipped;
  const readable = ids.filter((id) => shipped.has(id));
  const notShipped = `not shipped by ${currentVersion} or any stored release, so shipsafe cannot read it`;
  const options = snapshotId ? { snapshotId } : {};
  const classifications = await classify(ports, source.path, readable, options);
  const needsDowns = ids.some(
    (id) => (classifications.get(id)?.verdict ?? "unknown") !== "additive",
  );
  const reversibility = needsDowns
    ? await verify(ports, source.path, readable, options)
    : new Map<string, Reversibility>();
  const between: MigrationBetween[] = [];
  for (const id of ids) {
    const sql = shipped.has(id) ? await runner.sql(source.path, id) : null;
    between.push({
      id,
      classification: classifications.get(id) ?? unknown(id, notShipped),
      reversibility: needsDowns
        ? (reversibility.get(id) ?? {
            migrationId: id,
            status: "non-reversible",
            reason: !shipped.has(id)
              ? notShipped
              : ports.migrationAnalysis
                ? "the round-trip check gave no answer"
                : "no migration analysis is configured",
          })
        : null,
      downSql: sql?.down ?? null,
    });
  }
  return { between, targetHead };
}

/**
 * The release whose files have the migrations' SQL: the current one, or — when it does not ship
 * them all (a Type 2 rollback kept migrations of a newer release) — the newest stored release that
 * does. None: the current one, for what it ships.
 */
async function sourceRelease(
  ports: Ports,
  runner: Runner,
  current: Release,
  ids: readonly string[],
): Promise<{ readonly path: string; readonly shipped: ReadonlySet<string> }> {
  const listed = async (release: Release) =>
    new Set((await runner.list(release.path)).map((m) => m.id));
  const own = await listed(current);
  if (ids.every((id) => own.has(id))) return { path: current.path, shipped: own };
  const others = (await ports.target.releases())
    .filter((r) => r.version !== current.version)
    .sort((a, b) => b.addedAt.localeCompare(a.addedAt));
  for (const release of others) {
    const shipped = await listed(release).catch(() => new Set<string>());
    if (ids.every((id) => shipped.has(id))) return { path: release.path, shipped };
  }
  return { path: current.path, shipped: own };
}

async function classify(
  ports: Ports,
  releaseDir: string,
  ids: readonly string[],
  options: { readonly snapshotId?: string },
): Promise<Map<string, MigrationClassification>> {
  const out = new Map<string, MigrationClassification>();
  if (ids.length === 0) return out;
  if (!ports.migrationAnalysis) {
    for (const id of ids) out.set(id, unknown(id, "no migration analysis is configured"));
    return out;
  }
  try {
    for (const c of await ports.migrationAnalysis.classify(releaseDir, ids, options)) {
      out.set(c.migrationId, c);
    }
  } catch (error) {
    for (const id of ids) out.set(id, unknown(id, `classification failed: ${messageOf(error)}`));
  }
  return out;
}

async function verify(
  ports: Ports,
  releaseDir: string,
  ids: readonly string[],
  options: { readonly snapshotId?: string },
): Promise<Map<string, Reversibility>> {
  const out = new Map<string, Reversibility>();
  if (ids.length === 0 || !ports.migrationAnalysis) return out;
  try {
    for (const r of await ports.migrationAnalysis.verifyReversible(releaseDir, ids, options)) {
      out.set(r.migrationId, r);
    }
  } catch (error) {
    for (const id of ids) {
      out.set(id, {
        migrationId: id,
        status: "non-reversible",
        reason: `round-trip check failed: ${messageOf(error)}`,
      });
    }
  }
  return out;
}

function unknown(id: string, reason: string): MigrationClassification {
  return {
    migrationId: id,
    verdict: "unknown",
    statements: [{ index: 0, statement: "", verdict: "unknown", reason }],
    sources: [],
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqlDirMigrationRunner } from "../../../adapters/migrations/sql-dir/sql-dir-runner.js";
import { createSqliteTrackingDatabase } from "../../../adapters/migrations/sql-dir/sqlite-tracking-database.js";
import { createSqliteScratchDatabases } from "../../../adapters/schema/sqlite/sqlite-scratch-databases.js";
import { createPgQueryParser } from "../../../adapters/sql-parser/pg-query/pg-query-parser.js";
import { gateCheck } from "../../../domain/config/gate-schema.js";
import type { CheckOutcome } from "../../../domain/gate/check-outcome.js";
import { type CheckSpec, resolveCheck } from "../../../domain/gate/check-spec.js";
import type { MigrationWaiver } from "../../../domain/migrations/migration.js";
import type { CheckProbes } from "../../../ports/check-probes.js";
import type { MigrationRunner } from "../../../ports/migration-runner.js";
import { createMigrationAnalysis } from "../../migrations/analysis-sql.js";
import type { CheckContext } from "../check-context.js";
import { CHECK_IMPLEMENTATIONS } from "../check-implementations.js";
import {
  type FakeWorld,
  fakeEnvironment,
  fakeProbes,
  release,
  snapshot,
} from "../gate-fakes.test-support.js";

async function check(
  config: Record<string, unknown>,
  world: Partial<FakeWorld> = {},
  extra: {
    version?: string;
    migrationWaivers?: MigrationWaiver[];
    probes?: CheckProbes;
    migrations?: MigrationRunner;
    /** The SQLite file `migrations` runs against (scratch copies are made of it). */
    database?: string;
  } = {},
): Promise<CheckOutcome> {
  const { ports: fake } = fakeEnvironment(world);
  const ports = extra.migrations
    ? {
        ...fake,
        migrations: extra.migrations,
        migrationAnalysis: createMigrationAnalysis({
          runner: extra.migrations,
          parser: createPgQueryParser(),
          scratch: createSqliteScratchDatabases({
            path: extra.database ?? "",
            assetName: "db",
            snapshots: fake.snapshots,
          }),
        }),
      }
    : fake;
  const spec = resolveCheck(gateCheck.parse(config));
  const ctx: CheckContext = {
    ports,
    probes: extra.probes ?? fakeProbes(),
    version: extra.version,
    migrationWaivers: extra.migrationWaivers ?? [],
    signal: new AbortController().signal,
  };
  const implementation = CHECK_IMPLEMENTATIONS[spec.type] as (
    ctx: CheckContext,
    spec: CheckSpec,
  ) => Promise<CheckOutcome>;
  return implementation(ctx, spec);
}

const recent = snapshot("snap-new", "2026-01-02T11:00:00.000Z", 4096);
const older = snapshot("snap-old", "2026-01-01T11:00:00.000Z");

describe("artifact", () => {
  it("verifies the gated version, else the current one", async () => {
    expect(await check({ type: "artifact" }, {}, { version: "1.0.0" })).toMatchObject({
      status: "pass",
      diagnostics: ["release 1.0.0 matches its checksummed file list"],
    });
    const damaged = await check({ type: "artifact" }, { damaged: new Set(["1.1.0"]) });
    expect(damaged.status).toBe("fail");
    expect(damaged.diagnostics).toEqual([
      "modified: server.js",
      "re-add the release: shipsafe release add 1.1.0 --from <dir>",
    ]);
  });

  it("fails for a version the target does not have, listing the known ones", async () => {
    const outcome = await check({ type: "artifact", version: "9.9.9" });
    expect(outcome.diagnostics[0]).toBe(
      "release 9.9.9 is not stored on the target (known: 1.0.0, 1.1.0)",
    );
  });

  it("is inconclusive with nothing deployed and no version named", async () => {
    expect((await check({ type: "artifact" }, { current: undefined })).status).toBe("inconclusive");
  });

  it("checks the previous release for `version: previous`", async () => {
    expect(await check({ type: "artifact", version: "previous" })).toMatchObject({
      status: "pass",
      details: { version: "1.0.0" },
    });
  });
});

describe("health", () => {
  it("passes before the first deploy unless a running release is required", async () => {
    expect((await check({ type: "health" }, { current: undefined })).status).toBe("pass");
    expect(
      (await check({ type: "health", requireRunning: true }, { current: undefined })).status,
    ).toBe("fail");
  });

  it("names the failing probe", async () => {
    const outcome = await check(
      { type: "health" },
      {
        health: [
          {
            name: "ready",
            url: "http://127.0.0.1:1/ready",
            ok: false,
            error: "connection refused",
            latencyMs: 1,
          },
        ],
      },
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toBe(
      "1.1.0 is not healthy: ready http://127.0.0.1:1/ready connection refused",
    );
  });
});

describe("backup-age", () => {
  it("judges the newest snapshot, and verifies it when asked", async () => {
    const snapshots = [{ manifest: recent, runningVersion: "1.1.0" }];
    expect((await check({ type: "backup-age", maxAge: "2h" }, { snapshots })).status).toBe("pass");
    expect((await check({ type: "backup-age", maxAge: "30m" }, { snapshots })).status).toBe("fail");
    const damaged = await check(
      { type: "backup-age", maxAge: "2h", verify: true },
      { snapshots, damaged: new Set(["snap-new"]) },
    );
    expect(damaged.status).toBe("fail");
    expect(damaged.diagnostics[0]).toMatch(/recent but damaged: chunk of snap-new missing/);
  });
});

describe("snapshot-verify", () => {
  const snapshots = [
    { manifest: recent, runningVersion: "1.1.0" },
    { manifest: older, runningVersion: "1.0.0" },
  ];

  it("re-reads the newest snapshot in full mode", async () => {
    expect(await check({ type: "snapshot-verify" }, { snapshots })).toMatchObject({
      status: "pass",
      details: { snapshotId: "snap-new", mode: "full" },
    });
    const damaged = await check(
      { type: "snapshot-verify" },
      { snapshots, damaged: new Set(["snap-new"]) },
    );
    expect(damaged.diagnostics[0]).toBe("snapshot snap-new is damaged: chunk of snap-new missing");
  });

  it("checks the manifest hash in quick mode", async () => {
    const tampered = { ...older, size: 1 };
    const outcome = await check(
      { type: "snapshot-verify", snapshot: "previous-release", mode: "quick" },
      {
        snapshots: [
          { manifest: recent, runningVersion: "1.1.0" },
          { manifest: tampered, runningVersion: "1.0.0" },
        ],
      },
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toMatch(
      /^snapshot snap-old: its manifest hashes to [0-9a-f]{64}, not/,
    );
    expect(
      (
        await check(
          { type: "snapshot-verify", snapshot: "previous-release", mode: "quick" },
          { snapshots },
        )
      ).status,
    ).toBe("pass");
  });

  it("fails when the previous release has no snapshot", async () => {
    const outcome = await check(
      { type: "snapshot-verify", snapshot: "previous-release" },
      { snapshots: [{ manifest: recent, runningVersion: "1.1.0" }] },
    );
    expect(outcome.diagnostics[0]).toMatch(
      /no snapshot was taken while the previous release 1.0.0 ran/,
    );
  });
});

describe("previous-release", () => {
  it("finds the release before the current one and its snapshot", async () => {
    expect(
      await check(
        { type: "previous-release" },
        { snapshots: [{ manifest: older, runningVersion: "1.0.0" }] },
      ),
    ).toMatchObject({
      status: "pass",
      diagnostics: ["previous release 1.0.0 (running: 1.1.0); snapshot snap-old holds its state"],
    });
  });

  it("fails without one, saying why", async () => {
    const first = await check({ type: "previous-release" }, { releases: [release("1.1.0")] });
    expect(first.status).toBe("fail");
    expect(first.diagnostics[0]).toBe("prod runs 1.1.0 and has no release before it");
    const noSnapshot = await check({ type: "previous-release" });
    expect(noSnapshot.diagnostics[0]).toMatch(/no snapshot was taken while 1.0.0 ran/);
    expect((await check({ type: "previous-release", snapshot: false })).status).toBe("pass");
  });
});

describe("migrations", () => {
  it("is inconclusive when the environment configures no migrations", async () => {
    expect(await check({ type: "migrations" })).toMatchObject({
      status: "inconclusive",
      diagnostics: ["migrations are not configured", expect.any(String)],
    });
  });

  it("checks the running and the gated release's migrations, and their downs (real sql-dir on SQLite)", async () => {
    const work = await mkdtemp(join(tmpdir(), "shipsafe-gate-mig-"));
    try {
      const ship = async (version: string, ids: string[]) => {
        const path = join(work, version);
        await mkdir(join(path, "migrations"), { recursive: true });
        for (const id of ids) {
          await writeFile(
            join(path, "migrations", `${id}.up.sql`),
            `CREATE TABLE t_${id} (a int);`,
          );
        }
        return { ...release(version), path };
      };
      const releases = [await ship("1.0.0", ["0001_a"]), await ship("1.1.0", ["0001_a", "0002_b"])];
      const database = join(work, "app.db");
      const migrations = createSqlDirMigrationRunner({
        dir: "migrations",
        database: createSqliteTrackingDatabase(database),
      });
      const gate = (version?: string, options: Record<string, unknown> = {}, waivers = []) =>
        check(
          { type: "migrations", ...options },
          { releases, current: "1.0.0" },
          { migrations, database, migrationWaivers: waivers, ...(version ? { version } : {}) },
        );

      // The running release's own migration is not applied: the database is behind it.
      const behind = await gate("1.1.0");
      expect(behind.status).toBe("fail");
      expect(behind.diagnostics[0]).toBe("1 migration(s) of release 1.0.0 not applied: 0001_a");
      expect(behind.diagnostics[1]).toContain("shipsafe migrate up --env prod --release 1.0.0");

      await migrations.up(releases[0]?.path ?? "");
      expect(await gate("1.1.0")).toMatchObject({
        status: "pass",
        diagnostics: [
          expect.stringMatching(/^database at the head of release 1\.0\.0: 0001_a \(last applied /),
          "deploying 1.1.0 applies 1 migration(s): 0002_b",
        ],
      });

      // reversible: 0002_b has no down, so it fails unless a waiver names it.
      const noDown = await gate("1.1.0", { reversible: true });
      expect(noDown.status).toBe("fail");
      expect(noDown.diagnostics).toContain("0002_b is non-reversible: no down-migration");
      const waiver = { migration: "0002_b", by: "ana", reason: "new table only", at: "2026-11-25" };
      const waived = await gate("1.1.0", { reversible: true }, [waiver] as never);
      expect(waived.status).toBe("pass");
      expect(waived.diagnostics.join("\n")).toMatch(/waived by ana on 2026-11-25: new table only/);
      await writeFile(
        join(releases[1]?.path ?? "", "migrations", "0002_b.down.sql"),
        "DROP TABLE t_0002_b;",
      );
      expect(await gate("1.1.0", { reversible: true })).toMatchObject({ status: "pass" });
      await writeFile(join(releases[1]?.path ?? "", "migrations", "0002_b.down.sql"), "SELECT 1;");
      const lying = await gate("1.1.0", { reversible: true });
      expect(lying.status).toBe("fail");
      expect(lying.diagnostics.join("\n")).toMatch(
        /0002_b is non-reversible: down leaves table t_0002_b/,
      );

      // The database ahead of the running release (1.1.0's migration applied while 1.0.0 runs).
      await migrations.up(releases[1]?.path ?? "");
      const ahead = await gate();
      expect(ahead.status).toBe("fail");
      expect(ahead.diagnostics[0]).toBe(
        "applied but not shipped by release 1.0.0 (the database is ahead of it): 0002_b",
      );

      await writeFile(join(releases[1]?.path ?? "", "migrations", "0002_b.up.sql"), "-- edited");
      const changed = await gate("1.1.0");
      expect(changed.status).toBe("fail");
      expect(changed.diagnostics.join(" ")).toMatch(
        /0002_b\.up\.sql was changed after it was applied/,
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe("disk-space", () => {
  it("estimates an asset it cannot measure from its newest snapshot", async () => {
    const probes = fakeProbes({
      disk: {
        stateSizes: async () => [
          { name: "files", bytes: 1000 },
          { name: "main", bytes: undefined },
        ],
        freeSpace: async () => ({ path: "/state", availableBytes: 10_000 }),
      },
    });
    const outcome = await check(
      { type: "disk-space", factor: 2 },
      { snapshots: [{ manifest: recent, runningVersion: "1.1.0" }] },
      { probes },
    );
    // 1000 bytes measured + 4096 from snapshot snap-new, × 2 = 10192 > 10000 free.
    expect(outcome).toMatchObject({
      status: "fail",
      details: { stateBytes: 5096, neededBytes: 10_192, availableBytes: 10_000 },
    });
  });
});

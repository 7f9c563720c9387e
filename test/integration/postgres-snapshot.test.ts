import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, sql, startPostgresCluster } from "../helpers/postgres-cluster.js";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

/** A PostgreSQL asset through the built CLI, its password only in an env file. */
describe("snapshots of a PostgreSQL asset (built CLI, real cluster)", () => {
  let cluster: PostgresCluster;
  let dir: string;
  let cleanup: () => Promise<void>;
  const outputs: CliRun[] = [];
  const run = async (args: string[], env?: Record<string, string>) => {
    const r = await shipsafe(
      ["--env-file", ".env.prod", ...args],
      env ? { cwd: dir, env } : { cwd: dir },
    );
    outputs.push(r);
    return r;
  };

  beforeAll(async () => {
    cluster = await startPostgresCluster("pg-canary-91c4");
    ({ dir, cleanup } = await tempDir());
    await sql(cluster, "postgres", "CREATE DATABASE shop");
    await sql(
      cluster,
      "shop",
      "CREATE TABLE orders (id serial primary key, item text); INSERT INTO orders (item) SELECT 'x' FROM generate_series(1, 42)",
    );
    await writeFile(join(dir, ".env.prod"), `PG_PASSWORD=${cluster.password}\n`);
    await writeFile(
      join(dir, "shipsafe.yaml"),
      `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
    state:
      - name: main
        kind: postgres
        url: postgres://postgres:\${PG_PASSWORD}@127.0.0.1:${cluster.port}/shop
`,
    );
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await cleanup?.();
  });

  it("creates, verifies and drills a snapshot; the password appears in no output or state file", async () => {
    const created = await run(["--json", "snapshot", "create", "--reason", "before-migration"]);
    expect(created.code, created.stderr).toBe(0);
    const manifest = JSON.parse(created.stdout);
    expect(manifest.assets[0]).toMatchObject({
      kind: "postgres",
      details: { tables: { orders: 42 } },
    });
    expect((await run(["snapshot", "verify", manifest.id])).code).toBe(0);
    const drill = await run(["--json", "restore", "drill", manifest.id]);
    expect(drill.code, drill.stderr).toBe(0);
    expect(JSON.parse(drill.stdout).passed).toBe(true);
    expect((await run(["config", "show"])).stdout).toMatch(
      /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/,
    );

    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toContain(cluster.password);
    }
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else files.push(join(d, e.name));
      }
    };
    await walk(join(dir, ".shipsafe"));
    for (const file of files) {
      expect((await readFile(file)).includes(Buffer.from(cluster.password)), file).toBe(false);
    }
  });
});

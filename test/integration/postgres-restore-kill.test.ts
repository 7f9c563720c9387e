import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/demo-workspace.js";
import { stopDeployedService } from "../helpers/demo-app.js";
import { type PostgresCluster, sql, startPostgresCluster } from "../helpers/postgres-cluster.js";
import { type CliRun, shipsafe, startShipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const run = promisify(execFile);

/** A service that answers its health checks and nothing else: the state lives in PostgreSQL. */
const SERVER = `import { createServer } from "node:http";
createServer((req, res) => { res.writeHead(200); res.end("ok"); })
  .listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

/**
 * Kills the built CLI with SIGKILL while `pg_restore` writes the scratch copy of a Type 3 rollback
 * (real PostgreSQL 15 cluster): the live database must be exactly as before — the swap never
 * happened — and a plain rerun resumes, cleans up the killed run's scratch database and completes.
 */
describe("PostgreSQL restore by swap under SIGKILL (built CLI, real cluster)", () => {
  let cluster: PostgresCluster;
  let ws: { dir: string; cleanup: () => Promise<void> };
  let config: string;
  let port: number;
  const cli = (args: string[]): Promise<CliRun> =>
    shipsafe(["--config", config, ...args], { cwd: ws.dir });
  const json = async (args: string[]) => {
    const r = await cli(["--json", ...args]);
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };
  /** Everything a user could see of the live database: schema, every row, whether it connects. */
  const liveState = async (): Promise<string> => {
    const { stdout: schema } = await run(
      "pg_dump",
      [
        "--schema-only",
        "--no-owner",
        "-h",
        "127.0.0.1",
        "-p",
        String(cluster.port),
        "-U",
        "postgres",
        "shop",
      ],
      { env: { ...process.env, PGPASSWORD: cluster.password }, maxBuffer: 64 * 1024 * 1024 },
    );
    const rows = await sql(
      cluster,
      "shop",
      "SELECT count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o",
    );
    const events = await sql(cluster, "shop", "SELECT count(*) FROM events");
    const allow = await sql(
      cluster,
      "postgres",
      "SELECT datallowconn FROM pg_database WHERE datname = 'shop'",
    );
    // pg_dump ≥ 15.14 brackets its output with \restrict <random key>: not part of the schema.
    const stable = schema.replace(/^\\(un)?restrict .*$/gm, "");
    return `${createHash("sha256").update(stable).digest("hex")} orders=${rows} events=${events} allowconn=${allow}`;
  };
  const scratchDatabases = async (): Promise<string[]> =>
    (
      await sql(
        cluster,
        "postgres",
        "SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_shipsafe\\_%' ORDER BY 1",
      )
    )
      .split("\n")
      .filter(Boolean);

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    ws = await tempDir("shipsafe-pgkill-");
    port = await freePort();
    await sql(cluster, "postgres", "CREATE DATABASE shop");
    // Big enough that pg_restore runs for a while (COPY, then the index build).
    await sql(
      cluster,
      "shop",
      `CREATE TABLE orders (id bigserial PRIMARY KEY, item text NOT NULL, qty int NOT NULL, note text);
       INSERT INTO orders (item, qty, note) SELECT 'item-' || g, g % 7 + 1, repeat('x', 40) FROM generate_series(1, 600000) g;
       CREATE INDEX orders_item ON orders (item);
       CREATE TABLE events (id serial PRIMARY KEY, body text)`,
    );
    const release = join(ws.dir, "src", "1.0.0");
    await mkdir(release, { recursive: true });
    await writeFile(join(release, "server.mjs"), SERVER);
    config = join(ws.dir, "shipsafe.yaml");
    await writeFile(
      config,
      `version: 1
service: pg-shop
environments:
  pg:
    target:
      kind: local
      root: ./deploy
      start: [${JSON.stringify(process.execPath)}, server.mjs]
      stopGrace: 2s
      readyTimeout: 20s
      env: { PORT: "${port}" }
    health:
      live: http://127.0.0.1:${port}/
      ready: http://127.0.0.1:${port}/
      interval: 100ms
    state:
      - { name: shop, kind: postgres, url: "${cluster.url("shop")}" }
`,
    );
    expect((await cli(["release", "add", "1.0.0", "--from", release])).code).toBe(0);
    const deployed = await cli([
      "deploy",
      "1.0.0",
      "--observe",
      "200ms",
      "--baseline",
      "100ms",
      "--no-auto-rollback",
    ]);
    expect(deployed.stderr).not.toMatch(/error\[/);
  }, 180_000);

  afterAll(async () => {
    if (ws) {
      await stopDeployedService(ws.dir);
      await ws.cleanup();
    }
    await cluster?.stop();
  });

  it("SIGKILL during pg_restore leaves the live database exactly as before; the rerun resumes, cleans up and completes", async () => {
    const snap = await json(["snapshot", "create", "--reason", "before-writes"]);
    expect(snap.code, snap.stderr).toBe(0);
    const snapshotId = snap.doc.id as string;
    const qtyAtSnapshot = await sql(cluster, "shop", "SELECT sum(qty) FROM orders WHERE id <= 10");
    // Written after the snapshot: what the restore discards.
    await sql(
      cluster,
      "shop",
      "INSERT INTO events (body) SELECT 'e' || g FROM generate_series(1, 25) g",
    );
    await sql(cluster, "shop", "UPDATE orders SET qty = qty + 1 WHERE id <= 10");
    const before = await liveState();

    const child = startShipsafe(
      ["--config", config, "rollback", "--to", `snapshot:${snapshotId}`, "--accept-data-loss"],
      { cwd: ws.dir },
    );
    await child.waitForStderr(/→ 3\/6 restore-state/, 60_000);
    // Kill while pg_restore is writing the scratch copy.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const restoring = await sql(
        cluster,
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_restore' AND datname LIKE 'shop\\_shipsafe\\_in\\_%'",
      );
      if (restoring !== "0") break;
      if (Date.now() > deadline) throw new Error("pg_restore never started");
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    const killed = await child.done;
    expect(killed.code).toBe(128);

    expect(await liveState()).toBe(before);
    expect((await scratchDatabases()).some((d) => d.startsWith("shop_shipsafe_in_"))).toBe(true);

    const resumed = await json(["rollback"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.doc).toMatchObject({ status: "succeeded", outcome: { resumed: true } });
    expect(resumed.doc.plan.restoreSnapshotId).toBe(snapshotId);
    expect(await sql(cluster, "shop", "SELECT count(*) FROM events")).toBe("0");
    expect(await sql(cluster, "shop", "SELECT sum(qty) FROM orders WHERE id <= 10")).toBe(
      qtyAtSnapshot,
    );
    expect(await scratchDatabases()).toEqual([]);
    expect((await cli(["health"])).code).toBe(0);
  }, 240_000);
});

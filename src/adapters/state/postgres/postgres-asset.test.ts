import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PostgresCluster,
  sql,
  startPostgresCluster,
} from "../../../../test/helpers/postgres-cluster.js";
import { createPostgresAsset } from "./postgres-asset.js";

describe("postgres state asset (real PostgreSQL 15 cluster on loopback)", () => {
  let cluster: PostgresCluster;
  let work: string;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    work = await mkdtemp(join(tmpdir(), "shipsafe-pgasset-"));
    await sql(cluster, "postgres", "CREATE DATABASE shop");
    await sql(
      cluster,
      "shop",
      "CREATE TABLE orders (id serial primary key, item text not null, qty int not null)",
    );
    await sql(
      cluster,
      "shop",
      "INSERT INTO orders (item, qty) SELECT 'w' || g, g FROM generate_series(1, 500) g",
    );
    await sql(
      cluster,
      "shop",
      "CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int, total numeric)",
    );
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("captures a dump with exact row counts and a schema fingerprint; the password stays out of the manifest", async () => {
    const asset = createPostgresAsset({ name: "main", url: cluster.url("shop") });
    const dir = join(work, "cap1");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    const manifest = await asset.capture(dir);
    expect(manifest.files).toHaveLength(1);
    expect(manifest.details).toMatchObject({ tables: { orders: 500, "billing.invoices": 0 } });
    expect(String(manifest.details.schemaFingerprint)).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(manifest)).not.toContain(cluster.password);
    expect(manifest.source).toContain("127.0.0.1");
  });

  it("restores by swapping in a fresh database; a sandbox drill leaves the live one alone", async () => {
    const asset = createPostgresAsset({ name: "main", url: cluster.url("shop") });
    const dir = join(work, "cap2");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    const manifest = await asset.capture(dir);

    await sql(
      cluster,
      "shop",
      "INSERT INTO orders (item, qty) VALUES ('late', 1); ALTER TABLE orders ADD COLUMN discount text",
    );
    const drill = await asset.restoreInto(dir, manifest, join(work, "sandbox"));
    expect(drill.ok, JSON.stringify(drill.checks)).toBe(true);
    expect(await sql(cluster, "shop", "SELECT count(*) FROM orders")).toBe("501");

    await asset.restore(dir, manifest);
    expect(await sql(cluster, "shop", "SELECT count(*) FROM orders")).toBe("500");
    expect(
      await sql(
        cluster,
        "shop",
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'discount'",
      ),
    ).toBe("0");
    const leftovers = await sql(
      cluster,
      "postgres",
      "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_shipsafe_%'",
    );
    expect(leftovers).toBe("0");
    expect(await asset.inspect()).toMatchObject({ tables: { orders: 500 } });
  });

  it("a snapshot taken under concurrent writes has counts that match its dump", async () => {
    const asset = createPostgresAsset({ name: "main", url: cluster.url("shop") });
    const dir = join(work, "cap3");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    let writing = true;
    const writer = (async () => {
      while (writing)
        await sql(
          cluster,
          "shop",
          "INSERT INTO orders (item, qty) SELECT 'c', 1 FROM generate_series(1, 50)",
        );
    })();
    const manifest = await asset.capture(dir);
    writing = false;
    await writer;
    // Restoring into a scratch database re-counts the dump: it must equal the manifest exactly.
    const drill = await asset.restoreInto(dir, manifest, join(work, "sandbox3"));
    expect(drill.ok, JSON.stringify(drill.checks)).toBe(true);
  });

  it("a failed restore (corrupt dump) never touches the live database", async () => {
    const asset = createPostgresAsset({ name: "main", url: cluster.url("shop") });
    const dir = join(work, "cap4");
    const fs = await import("node:fs/promises");
    await fs.mkdir(dir);
    const manifest = await asset.capture(dir);
    const before = await sql(cluster, "shop", "SELECT count(*) FROM orders");
    const file = join(dir, "main.dump");
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(asset.restore(dir, manifest)).rejects.toMatchObject({ code: "PG_TOOL_FAILED" });
    expect(await sql(cluster, "shop", "SELECT count(*) FROM orders")).toBe(before);
    const leftovers = await sql(
      cluster,
      "postgres",
      "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_shipsafe_%'",
    );
    expect(leftovers).toBe("0");
  });

  it("the next restore repairs what a killed swap left: the old database back under the live name, scratch copies dropped", async () => {
    await sql(cluster, "postgres", "CREATE DATABASE kept");
    await sql(
      cluster,
      "kept",
      "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 7)",
    );
    const asset = createPostgresAsset({ name: "kept", url: cluster.url("kept") });
    const dir = join(work, "cap5");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    const manifest = await asset.capture(dir);
    // What a two-step swap killed between its renames leaves: no live name, the old database
    // refusing connections, and the restored copy under its scratch name.
    await sql(cluster, "postgres", "ALTER DATABASE kept ALLOW_CONNECTIONS false");
    await sql(cluster, "postgres", "ALTER DATABASE kept RENAME TO kept_shipsafe_old_0badf00d");
    await sql(cluster, "postgres", "CREATE DATABASE kept_shipsafe_in_0badf00d");
    // A manifest the dump cannot match makes this restore fail after its recovery ran.
    const wrong = { ...manifest, details: { ...manifest.details, tables: { t: 8 } } };
    await expect(asset.restore(dir, wrong)).rejects.toMatchObject({ code: "RESTORE_MISMATCH" });
    expect(await sql(cluster, "kept", "SELECT count(*) FROM t")).toBe("7");
    expect(
      await sql(cluster, "postgres", "SELECT datallowconn FROM pg_database WHERE datname = 'kept'"),
    ).toBe("t");
    expect(
      await sql(
        cluster,
        "postgres",
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'kept_shipsafe_%'",
      ),
    ).toBe("0");
    await asset.restore(dir, manifest);
    expect(await sql(cluster, "kept", "SELECT count(*) FROM t")).toBe("7");
  });
});

import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoad } from "../../examples/demo-app/load.mjs";
import { parsePrometheusText } from "../../src/domain/observation/prometheus-text.js";
import {
  DEMO_APP_DIR,
  type DemoProcess,
  spawnDemo,
  startDemoRelease,
} from "../helpers/demo-app.js";

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

function post(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

async function requestCounts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const sample of parsePrometheusText(text).samples) {
    if (sample.name !== "http_requests_total") continue;
    const { method, route, status } = sample.labels;
    counts[`${method} ${route} ${status}`] = sample.value;
  }
  return counts;
}

describe("the demo app", () => {
  let dir: string;
  const running: DemoProcess[] = [];
  const start = async (version: string, db: string) => {
    const demo = await startDemoRelease(version, join(dir, db));
    running.push(demo);
    return demo;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipsafe-demo-"));
  });

  afterAll(async () => {
    await Promise.all(running.map((demo) => demo.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it("ships one engine: every release carries an identical demo-core.mjs", async () => {
    const read = (version: string) =>
      readFile(resolve(DEMO_APP_DIR, "releases", version, "demo-core.mjs"), "utf8");
    expect(await read("2.0.0")).toBe(await read("1.0.0"));
  });

  it("1.0.0 serves health, orders and metrics, counting only work requests", async () => {
    const demo = await start("1.0.0", "v1.db");
    expect(await (await fetch(`${demo.url}/health/live`)).text()).toBe("ok");
    expect(await (await fetch(`${demo.url}/health/ready`)).text()).toBe("ready");
    expect(await json(`${demo.url}/orders`, post({ item: "book", qty: 2 }))).toEqual({
      status: 201,
      body: { id: 1 },
    });
    expect((await json(`${demo.url}/orders`, post({ item: "", qty: 2 }))).status).toBe(400);
    expect(await json(`${demo.url}/orders/count`)).toEqual({ status: 200, body: { count: 1 } });
    expect((await json(`${demo.url}/work`)).status).toBe(200);
    expect((await fetch(`${demo.url}/nothing-here`)).status).toBe(404);
    const counts = await requestCounts(demo.url);
    expect(counts).toEqual({
      "POST /orders 201": 1,
      "POST /orders 400": 1,
      "GET /orders/count 200": 1,
      "GET /work 200": 1,
      "GET unmatched 404": 1,
    });
    const text = await (await fetch(`${demo.url}/metrics`)).text();
    expect(text).toContain('app_version_info{version="1.0.0",deployed_as="1.0.0"} 1');
    const buckets = parsePrometheusText(text).samples.filter(
      (s) => s.name === "http_request_duration_seconds_bucket" && s.labels.route === "/work",
    );
    expect(buckets.map((s) => s.labels.le)).toEqual([
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "+Inf",
    ]);
  });

  it("injects faults at runtime and validates them", async () => {
    const demo = await start("1.0.0", "faults.db");
    const set = await json(`${demo.url}/admin/faults`, post({ errorRate: 1, extraLatencyMs: 30 }));
    expect(set).toEqual({
      status: 200,
      body: { errorRate: 1, extraLatencyMs: [30, 30], overridden: true },
    });
    const started = performance.now();
    expect((await fetch(`${demo.url}/work`)).status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
    expect((await json(`${demo.url}/admin/faults`, post({ errorRate: 2 }))).status).toBe(400);
    expect(await json(`${demo.url}/admin/faults`, { method: "DELETE" })).toMatchObject({
      body: { errorRate: 0, overridden: false },
    });
    expect((await fetch(`${demo.url}/work`)).status).toBe(200);
  });

  it("2.0.0 migrates to schema 2 with coupons, and 1.0.0 then refuses the database", async () => {
    const v1 = await start("1.0.0", "upgrade.db");
    await fetch(`${v1.url}/orders`, post({ item: "lamp", qty: 1 }));
    expect(await v1.stop()).toBe(0);
    const dbPath = join(dir, "upgrade.db");
    const v2 = await start("2.0.0", "upgrade.db");
    await json(`${v2.url}/admin/faults`, post({ errorRate: 0 }));
    await fetch(`${v2.url}/orders`, post({ item: "chair", qty: 3, discountCode: "SPRING25" }));
    expect(await v2.stop()).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(2);
      expect(db.prepare("SELECT code FROM coupons ORDER BY code").pluck().all()).toEqual([
        "SPRING25",
        "VIP50",
        "WELCOME10",
      ]);
      expect(
        db.prepare("SELECT item, quantity, discount_code FROM orders ORDER BY id").all(),
      ).toEqual([
        { item: "lamp", quantity: 1, discount_code: null },
        { item: "chair", quantity: 3, discount_code: "SPRING25" },
      ]);
      // 0002 renames the column 1.0.0 writes: the breaking change of the demo.
      const columns = db.prepare("SELECT name FROM pragma_table_info('orders')").pluck().all();
      expect(columns).not.toContain("qty");
    } finally {
      db.close();
    }

    const refused = spawnDemo("1.0.0", dbPath);
    let stderr = "";
    refused.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(refused, "exit");
    expect(code).toBe(1);
    expect(stderr).toContain("has schema version 2, newer than this release supports (1)");
  });

  it("a release starts on a database its migrations already brought to its schema (as shipsafe's sql-dir does on deploy)", async () => {
    const dbPath = join(dir, "premigrated.db");
    const db = new Database(dbPath);
    try {
      for (const file of ["0001_orders.up.sql", "0002_discounts.up.sql"]) {
        const sql = await readFile(
          resolve(DEMO_APP_DIR, "releases", "2.0.0", "migrations", file),
          "utf8",
        );
        db.transaction(() => db.exec(sql))();
      }
      db.exec("INSERT INTO orders (item, quantity) VALUES ('kept', 2)");
    } finally {
      db.close();
    }
    const v2 = await start("2.0.0", "premigrated.db");
    await json(`${v2.url}/admin/faults`, post({ errorRate: 0 }));
    expect((await fetch(`${v2.url}/orders`, post({ item: "desk", qty: 1 }))).status).toBe(201);
    expect(await json(`${v2.url}/orders/count`)).toEqual({ status: 200, body: { count: 2 } });
    expect(await v2.stop()).toBe(0);
  });

  it("refuses to start without PORT or DEMO_DB, or with a wrong SHIPSAFE_NODE_MODULES", async () => {
    const exitOf = async (env: Record<string, string | undefined>) => {
      const child = spawnDemo("1.0.0", join(dir, "env.db"), env);
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = await once(child, "exit");
      return { code, stderr };
    };
    expect(await exitOf({ PORT: undefined })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("PORT"),
    });
    expect(await exitOf({ DEMO_DB: "" })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("DEMO_DB"),
    });
    expect(await exitOf({ SHIPSAFE_NODE_MODULES: join(dir, "nowhere") })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("cannot load better-sqlite3 from SHIPSAFE_NODE_MODULES="),
    });
  });

  it("load.mjs keeps its rate through connection errors and reports them", async () => {
    const results: (number | null)[] = [];
    const load = startLoad({
      baseUrl: "http://127.0.0.1:9",
      rps: 50,
      onResult: (result) => results.push(result.status),
    });
    await new Promise((wait) => setTimeout(wait, 500));
    const totals = await load.stop();
    expect(totals.sent).toBeGreaterThanOrEqual(20);
    expect(totals.sent).toBeLessThanOrEqual(30);
    expect(totals).toMatchObject({ ok: 0, failed: totals.sent, connectionErrors: totals.sent });
    expect(results).toHaveLength(totals.sent);
    expect(results.every((status) => status === null)).toBe(true);
  });
});

// The demo service's engine, shared by every release. Each release directory carries its own
// identical copy (a release is copied as a unit), and a test keeps the copies identical.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const WORK_ROUTES = new Set(["/work", "/orders", "/orders/count"]);
const MAX_BODY_BYTES = 64 * 1024;

/** Loads better-sqlite3 from $SHIPSAFE_NODE_MODULES when set, else by normal resolution. */
export function loadSqlite() {
  const dir = process.env.SHIPSAFE_NODE_MODULES;
  const require = createRequire(dir ? join(dir, "resolve-from-here.cjs") : import.meta.url);
  try {
    return require("better-sqlite3");
  } catch (error) {
    const where = dir
      ? `from SHIPSAFE_NODE_MODULES=${dir}`
      : "(set SHIPSAFE_NODE_MODULES to the absolute path of shipsafe's node_modules directory)";
    throw new Error(`cannot load better-sqlite3 ${where}: ${error.message}`);
  }
}

/** Reads the release's own version from the package.json beside `moduleUrl`. */
export function releaseVersion(moduleUrl) {
  return JSON.parse(readFileSync(new URL("./package.json", moduleUrl), "utf8")).version;
}

/**
 * Brings the database to `schemaVersion` with the release's own `migrations/NNNN_name.up.sql` files
 * (sql-dir format; each sets `PRAGMA user_version`), one transaction each. A database shipsafe has
 * already migrated (`migrations: { kind: sql-dir }`, applied on deploy) is at the version: nothing
 * runs. A database a newer release migrated is refused (`refusal` is added to the message).
 */
export function applyMigrations(db, moduleUrl, schemaVersion, refusal = "") {
  const current = db.pragma("user_version", { simple: true });
  if (current > schemaVersion) {
    throw new Error(
      `database ${db.name} has schema version ${current}, newer than this release supports (${schemaVersion})${refusal}`,
    );
  }
  const dir = fileURLToPath(new URL("./migrations/", moduleUrl));
  const files = readdirSync(dir)
    .filter((file) => /^\d{4}_.+\.up\.sql$/.test(file))
    .sort();
  for (const file of files) {
    const number = Number(file.slice(0, 4));
    if (number <= current || number > schemaVersion) continue;
    const sql = readFileSync(join(dir, file), "utf8");
    db.transaction(() => db.exec(sql))();
  }
}

/**
 * Starts the demo service.
 * release: { version, behaviour: { errorRate, extraLatencyMs: [min, max] },
 *            migrate(db): void (throws to refuse the database), insertOrder(db, order): id }
 */
export function runDemo(release) {
  const env = readEnv();
  const log = (event, fields = {}) =>
    process.stdout.write(`${JSON.stringify({ event, version: release.version, ...fields })}\n`);
  const metrics = createMetrics();
  const faults = createFaults(release.behaviour);
  const deployedAs = process.env.SHIPSAFE_VERSION || release.version;
  let db = null;
  let shuttingDown = false;

  const server = createServer((req, res) => {
    // While stopping, tell keep-alive clients to go away so the server can close promptly.
    if (shuttingDown) res.setHeader("connection", "close");
    handle(req, res).catch((error) => {
      log("error", { message: error.message });
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    });
  });

  async function handle(req, res) {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/health/live") return text(res, 200, "ok");
    if (path === "/health/ready") {
      return db && !shuttingDown ? text(res, 200, "ready") : text(res, 503, "not ready");
    }
    if (path === "/metrics") {
      const body = metrics.render(release.version, deployedAs);
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      return res.end(body);
    }
    if (path === "/version") return send(res, 200, { version: release.version, deployedAs });
    if (path === "/admin/faults") return adminFaults(req, res);
    const route = WORK_ROUTES.has(path) ? path : "unmatched";
    const started = performance.now();
    try {
      await work(req, res, route, path);
    } finally {
      metrics.observe(req.method, route, res.statusCode, (performance.now() - started) / 1000);
    }
  }

  async function work(req, res, route, path) {
    const expected = route === "/orders" ? "POST" : "GET";
    if (route === "unmatched") return send(res, 404, { error: `no route ${req.method} ${path}` });
    if (req.method !== expected) return send(res, 405, { error: `use ${expected} ${route}` });
    if (!db) return send(res, 503, { error: "not ready" });
    const body = route === "/orders" ? await readJson(req) : null;
    const plan = faults.draw();
    if (route === "/work") await sleep(5 + Math.random() * 15);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (plan.fail) return send(res, 500, { error: "injected failure" });
    if (route === "/work") return send(res, 200, { done: true });
    if (route === "/orders/count") {
      return send(res, 200, { count: db.prepare("SELECT count(*) AS n FROM orders").get().n });
    }
    const order = validateOrder(body);
    if (typeof order === "string") return send(res, 400, { error: order });
    return send(res, 201, { id: release.insertOrder(db, order) });
  }

  async function adminFaults(req, res) {
    if (req.method === "GET") return send(res, 200, faults.current());
    if (req.method === "DELETE") return send(res, 200, faults.reset());
    if (req.method !== "POST") return send(res, 405, { error: "use GET, POST or DELETE" });
    const body = await readJson(req);
    const problem = faults.set(body);
    if (problem) return send(res, 400, { error: problem });
    log("faults", faults.current());
    return send(res, 200, faults.current());
  }

  function shutdown(signal) {
    if (shuttingDown) return;
    shuttingDown = true;
    log("stopping", { signal });
    const force = setTimeout(() => server.closeAllConnections(), 1_000);
    force.unref();
    server.close(() => {
      db?.close();
      log("stopped");
      process.exit(0);
    });
    server.closeIdleConnections();
  }
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  server.listen(env.port, env.host, async () => {
    log("listening", { port: server.address().port, host: env.host, pid: process.pid });
    if (env.startupDelayMs > 0) await sleep(env.startupDelayMs);
    try {
      const Database = loadSqlite();
      const opened = new Database(env.dbPath);
      opened.pragma("busy_timeout = 5000");
      release.migrate(opened);
      db = opened;
      log("ready", {
        db: env.dbPath,
        schemaVersion: opened.pragma("user_version", { simple: true }),
      });
    } catch (error) {
      log("fatal", { message: error.message });
      process.stderr.write(`demo-app ${release.version}: ${error.message}\n`);
      process.exit(1);
    }
  });
}

function readEnv() {
  const fail = (message) => {
    process.stderr.write(`demo-app: ${message}\n`);
    process.exit(2);
  };
  const portText = process.env.PORT;
  if (portText === undefined || !/^\d+$/.test(portText) || Number(portText) > 65535) {
    fail(`PORT must be a port number (0 picks a free one), got ${JSON.stringify(portText)}`);
  }
  const dbPath = process.env.DEMO_DB;
  if (!dbPath) fail("DEMO_DB must name the SQLite database file");
  const delay = process.env.DEMO_STARTUP_DELAY_MS ?? "0";
  if (!/^\d+$/.test(delay)) fail(`DEMO_STARTUP_DELAY_MS must be milliseconds, got "${delay}"`);
  return {
    port: Number(portText),
    host: process.env.HOST || "127.0.0.1",
    dbPath,
    startupDelayMs: Number(delay),
  };
}

/** Version behaviour, overridable at runtime through POST /admin/faults. */
function createFaults(behaviour) {
  let override = {};
  const current = () => ({
    errorRate: override.errorRate ?? behaviour.errorRate,
    extraLatencyMs: override.extraLatencyMs ?? behaviour.extraLatencyMs,
    overridden: Object.keys(override).length > 0,
  });
  return {
    current,
    reset() {
      override = {};
      return current();
    },
    set(body) {
      if (body === null || typeof body !== "object") return "expected a JSON object";
      const next = { ...override };
      if (body.errorRate !== undefined) {
        const rate = body.errorRate;
        if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
          return "errorRate must be a number from 0 to 1";
        }
        next.errorRate = rate;
      }
      if (body.extraLatencyMs !== undefined) {
        const ms = body.extraLatencyMs;
        if (typeof ms !== "number" || !(ms >= 0 && ms <= 60_000)) {
          return "extraLatencyMs must be a number of milliseconds from 0 to 60000";
        }
        next.extraLatencyMs = [ms, ms];
      }
      override = next;
      return null;
    },
    draw() {
      const { errorRate, extraLatencyMs } = current();
      const [min, max] = extraLatencyMs;
      return { fail: Math.random() < errorRate, delayMs: min + Math.random() * (max - min) };
    },
  };
}

function createMetrics() {
  const requests = new Map();
  const durations = new Map();
  return {
    observe(method, route, status, seconds) {
      const key = labels({ method, route, status: String(status) });
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const hKey = labels({ method, route });
      let h = durations.get(hKey);
      if (!h) {
        h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
        durations.set(hKey, h);
      }
      BUCKETS.forEach((le, i) => {
        if (seconds <= le) h.counts[i] += 1;
      });
      h.sum += seconds;
      h.count += 1;
    },
    render(version, deployedAs) {
      const lines = [
        "# HELP http_requests_total Requests served, by method, route and status code.",
        "# TYPE http_requests_total counter",
      ];
      for (const [key, n] of requests) lines.push(`http_requests_total{${key}} ${n}`);
      lines.push(
        "# HELP http_request_duration_seconds Time to serve a request, by method and route.",
        "# TYPE http_request_duration_seconds histogram",
      );
      const name = "http_request_duration_seconds";
      for (const [key, h] of durations) {
        BUCKETS.forEach((le, i) => {
          lines.push(`${name}_bucket{${key},le="${le}"} ${h.counts[i]}`);
        });
        lines.push(`${name}_bucket{${key},le="+Inf"} ${h.count}`);
        lines.push(`${name}_sum{${key}} ${h.sum}`, `${name}_count{${key}} ${h.count}`);
      }
      lines.push(
        "# HELP app_version_info The running release.",
        "# TYPE app_version_info gauge",
        `app_version_info{${labels({ version, deployed_as: deployedAs })}} 1`,
      );
      return `${lines.join("\n")}\n`;
    },
  };
}

function labels(pairs) {
  return Object.entries(pairs)
    .map(
      ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    )
    .join(",");
}

function validateOrder(body) {
  if (body === null || typeof body !== "object") return "expected a JSON object {item, qty}";
  if (typeof body.item !== "string" || body.item.trim() === "")
    return "item must be a non-empty string";
  if (!Number.isInteger(body.qty) || body.qty < 1) return "qty must be a positive integer";
  const code = body.discountCode;
  if (code !== undefined && code !== null && typeof code !== "string") {
    return "discountCode must be a string";
  }
  return { item: body.item, qty: body.qty, discountCode: code ?? null };
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}

function text(res, status, body) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

#!/usr/bin/env node
// Steady open-loop load for the demo app: a fixed rate of GET /work, POST /orders and
// GET /orders/count, whatever the service answers. Connection errors are counted, not fatal:
// the service restarts during deploys and rollbacks.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const TICK_MS = 10;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Starts sending `rps` requests per second to `baseUrl` (70% GET /work, 20% POST /orders,
 * 10% GET /orders/count). `onResult` sees every outcome. `stop()` stops sending, waits for the
 * requests in flight and resolves the totals.
 */
export function startLoad({ baseUrl, rps, onResult }) {
  if (!(typeof rps === "number" && rps > 0 && rps <= 10_000)) {
    throw new RangeError(`rps must be a number from 0 (exclusive) to 10000, got ${rps}`);
  }
  const base = new URL(baseUrl);
  const totals = { sent: 0, ok: 0, failed: 0, connectionErrors: 0 };
  const inFlight = new Set();
  const startedAt = performance.now();

  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * rps) + 1;
    while (totals.sent < due) {
      const request = send(base, totals.sent).then((result) => {
        if (result.ok) totals.ok += 1;
        else totals.failed += 1;
        if (result.status === null) totals.connectionErrors += 1;
        onResult?.(result);
      });
      totals.sent += 1;
      inFlight.add(request);
      request.finally(() => inFlight.delete(request));
    }
  }, TICK_MS);

  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { ...totals };
    },
  };
}

async function send(base, n) {
  const pick = n % 10;
  const started = performance.now();
  let method = "GET";
  let path = "/work";
  let body;
  if (pick === 3 || pick === 7) {
    method = "POST";
    path = "/orders";
    const order = { item: `item-${n % 17}`, qty: 1 + (n % 5) };
    if (n % 3 === 0) order.discountCode = "WELCOME10";
    body = JSON.stringify(order);
  } else if (pick === 9) {
    path = "/orders/count";
  }
  const request = { method, path, at: Date.now() };
  try {
    const response = await fetch(new URL(path, base), {
      method,
      body,
      headers: body ? { "content-type": "application/json" } : {},
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    const durationMs = performance.now() - started;
    return { ...request, status: response.status, ok: response.ok, durationMs };
  } catch (error) {
    const durationMs = performance.now() - started;
    const reason = error?.cause?.code ?? error?.name ?? "error";
    return { ...request, status: null, ok: false, durationMs, error: String(reason) };
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      rps: { type: "string", default: "20" },
      duration: { type: "string" },
      quiet: { type: "boolean", default: false },
    },
  });
  if (!values.url) {
    process.stderr.write(
      "usage: node load.mjs --url http://127.0.0.1:8080 [--rps 20] [--duration 30]\n",
    );
    process.exit(2);
  }
  const rps = Number(values.rps);
  const seconds = values.duration === undefined ? undefined : Number(values.duration);
  if (seconds !== undefined && !(seconds > 0)) {
    process.stderr.write(`--duration must be a number of seconds, got "${values.duration}"\n`);
    process.exit(2);
  }
  let window = { ok: 0, failed: 0 };
  const load = startLoad({
    baseUrl: values.url,
    rps,
    onResult: (result) => {
      if (result.ok) window.ok += 1;
      else window.failed += 1;
    },
  });
  const report = setInterval(() => {
    if (!values.quiet)
      process.stderr.write(`load: last second ok=${window.ok} failed=${window.failed}\n`);
    window = { ok: 0, failed: 0 };
  }, 1_000);
  const finish = async () => {
    clearInterval(report);
    process.stdout.write(`${JSON.stringify(await load.stop())}\n`);
    process.exit(0);
  };
  process.once("SIGINT", finish);
  process.once("SIGTERM", finish);
  if (seconds !== undefined) setTimeout(finish, seconds * 1000);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();

import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpHealthProbe } from "./http-health-probe.js";

let server: Server;
let base: string;
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case "/ok":
        res.end("status: ok");
        return;
      case "/unavailable":
        res.statusCode = 503;
        res.end("draining");
        return;
      case "/redirect":
        res.writeHead(302, { location: "/ok" }).end();
        return;
      case "/hang":
        hanging.push(res); // never answers
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("http health probe", () => {
  it("is ok on a 2xx whose body holds the expected text", async () => {
    const results = await createHttpHealthProbe({
      live: `${base}/ok`,
      ready: `${base}/redirect`,
      readyBody: "ok",
      timeoutMs: 2000,
    }).probe();
    expect(results).toEqual([
      { name: "live", url: `${base}/ok`, ok: true, status: 200, latencyMs: expect.any(Number) },
      {
        name: "ready",
        url: `${base}/redirect`,
        ok: true,
        status: 200,
        latencyMs: expect.any(Number),
      },
    ]);
  });

  it("reports a non-2xx status", async () => {
    const [result] = await createHttpHealthProbe({
      ready: `${base}/unavailable`,
      timeoutMs: 2000,
    }).probe();
    expect(result).toMatchObject({ name: "ready", ok: false, status: 503, error: "status 503" });
  });

  it("reports a body without the expected text", async () => {
    const [result] = await createHttpHealthProbe({
      live: `${base}/ok`,
      liveBody: "healthy",
      timeoutMs: 2000,
    }).probe();
    expect(result).toMatchObject({
      ok: false,
      status: 200,
      error: 'body does not contain "healthy"',
    });
  });

  it("times out a server that never answers", async () => {
    const started = performance.now();
    const [result] = await createHttpHealthProbe({ ready: `${base}/hang`, timeoutMs: 300 }).probe();
    expect(result).toMatchObject({ ok: false, error: "timed out after 300ms" });
    expect(result?.status).toBeUndefined();
    expect(result?.latencyMs).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("reports connection refused on a closed port", async () => {
    const url = `http://127.0.0.1:${await freePort()}/health`;
    const [result] = await createHttpHealthProbe({ live: url, timeoutMs: 2000 }).probe();
    expect(result).toMatchObject({ name: "live", url, ok: false, error: "connection refused" });
  });

  it("returns an error result for a host that does not resolve, and nothing when unconfigured", async () => {
    const [result] = await createHttpHealthProbe({
      live: "http://shipsafe-no-such-host.invalid/",
      timeoutMs: 3000,
    }).probe();
    expect(result?.ok).toBe(false);
    expect(result?.error).toMatch(/host not found|timed out/);
    expect(await createHttpHealthProbe({ timeoutMs: 1000 }).probe()).toEqual([]);
  });
});

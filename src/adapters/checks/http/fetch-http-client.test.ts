import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateHttp } from "../../../domain/gate/evaluate-http.js";
import { createFetchHttpClient } from "./fetch-http-client.js";

describe("fetch http client (a real server on loopback)", () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(String(req.headers["user-agent"]));
      if (req.url === "/version") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ version: "1.0.0", db: { ok: true } }));
      } else if (req.url === "/down") {
        res.writeHead(503);
        res.end("not ready");
      } else if (req.url === "/slow") {
        setTimeout(() => res.end("late"), 2_000);
      } else if (req.url === "/big") {
        res.end("x".repeat(2 * 1024 * 1024));
      } else if (req.url === "/moved") {
        res.writeHead(302, { location: "/version" });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const client = createFetchHttpClient({ userAgent: "shipsafe-gate/test" });

  it("returns status, body and latency, following redirects", async () => {
    const answer = await client.get(`${base}/moved`, { timeoutMs: 5_000 });
    expect(answer).toMatchObject({ ok: true, status: 200 });
    expect(answer.ok && JSON.parse(answer.body)).toEqual({ version: "1.0.0", db: { ok: true } });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen).toContain("shipsafe-gate/test");
    const judged = evaluateHttp(
      { url: `${base}/version`, json: { path: "version", equals: "1.0.0" } },
      answer,
    );
    expect(judged.status).toBe("pass");
  });

  it("returns a non-2xx answer as it is, for the check to judge", async () => {
    const answer = await client.get(`${base}/down`, { timeoutMs: 5_000 });
    expect(answer).toMatchObject({ ok: true, status: 503, body: "not ready" });
  });

  it("times out a slow answer", async () => {
    const t0 = Date.now();
    const answer = await client.get(`${base}/slow`, { timeoutMs: 200 });
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(answer).toMatchObject({ ok: false, error: "timed out after 200ms" });
  });

  it("says connection refused when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const answer = await client.get(`http://127.0.0.1:${port}/`, { timeoutMs: 2_000 });
    expect(answer).toMatchObject({ ok: false, error: "connection refused" });
  });

  it("reads at most 256 KiB of a body", async () => {
    const answer = await client.get(`${base}/big`, { timeoutMs: 5_000 });
    expect(answer.ok && answer.body.length).toBe(256 * 1024);
  });
});

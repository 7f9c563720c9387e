import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isShipsafeError } from "../../../domain/errors.js";
import { createScrapeMetricsSource } from "./scrape-metrics-source.js";

const EXPOSITION = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/work",status="200"} 95
http_requests_total{method="GET",route="/work",status="500"} 5
http_requests_total{method="POST",route="/orders",status="201"} 20
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/work",le="0.025"} 90
http_request_duration_seconds_bucket{route="/work",le="+Inf"} 100
http_request_duration_seconds_bucket{route="/orders",le="0.025"} 20
http_request_duration_seconds_bucket{route="/orders",le="+Inf"} 20
`;

let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
  servers = [];
});

/** A loopback HTTP server answering every request with `respond`; resolves its /metrics URL. */
async function serve(respond: (res: import("node:http").ServerResponse) => void): Promise<string> {
  const server = createServer((_req, res) => respond(res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("createScrapeMetricsSource", () => {
  it("reads a real endpoint into one sample", async () => {
    const url = await serve((res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(EXPOSITION);
    });
    const source = createScrapeMetricsSource({ url, timeoutMs: 2_000, now: () => 42 });
    expect(await source.sample()).toEqual({
      at: 42,
      requests: 120,
      errors: 5,
      latencyBuckets: [
        { le: 0.025, count: 110 },
        { le: Infinity, count: 120 },
      ],
    });
  });

  it("uses configured metric names", async () => {
    const url = await serve((res) =>
      res.end('reqs{code="503"} 2\nreqs{code="200"} 8\n# TYPE lat histogram\n'),
    );
    const source = createScrapeMetricsSource({
      url,
      timeoutMs: 2_000,
      names: { requestsTotal: "reqs", statusLabel: "code", durationHistogram: "lat" },
    });
    expect(await source.sample()).toMatchObject({ requests: 10, errors: 2, latencyBuckets: [] });
  });

  it("reports a closed port as METRICS_UNREACHABLE with the URL and cause", async () => {
    const url = await serve((res) => res.end());
    const server = servers.pop() as Server;
    await new Promise((resolve) => server.close(resolve));
    const error = await caught(createScrapeMetricsSource({ url, timeoutMs: 2_000 }).sample());
    expect(isShipsafeError(error)).toBe(true);
    expect(error).toMatchObject({ code: "METRICS_UNREACHABLE", kind: "runtime" });
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("reports a silent endpoint as METRICS_UNREACHABLE after the timeout", async () => {
    const url = await serve(() => {});
    const started = Date.now();
    const error = await caught(createScrapeMetricsSource({ url, timeoutMs: 200 }).sample());
    expect(error).toMatchObject({ code: "METRICS_UNREACHABLE" });
    expect((error as Error).message).toContain("no answer within 200 ms");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reports a non-2xx answer with its status", async () => {
    const url = await serve((res) => {
      res.writeHead(503, "Service Unavailable");
      res.end("down");
    });
    const error = await caught(createScrapeMetricsSource({ url, timeoutMs: 2_000 }).sample());
    expect(error).toMatchObject({ code: "METRICS_UNREACHABLE" });
    expect((error as Error).message).toBe(
      `cannot read metrics from ${url}: HTTP 503 Service Unavailable`,
    );
  });

  it("rejects a page that is not Prometheus text, and one without the metrics", async () => {
    const html = await serve((res) => res.end("<html>login</html>"));
    expect(
      await caught(createScrapeMetricsSource({ url: html, timeoutMs: 2_000 }).sample()),
    ).toMatchObject({ code: "METRICS_MALFORMED" });
    const other = await serve((res) => res.end("up 1\nprocess_cpu_seconds_total 3\n"));
    const error = await caught(
      createScrapeMetricsSource({ url: other, timeoutMs: 2_000 }).sample(),
    );
    expect(error).toMatchObject({ code: "METRICS_MISSING" });
    expect((error as Error).message).toContain(
      "exposes no http_requests_total or http_request_duration_seconds (found: up, process_cpu_seconds_total)",
    );
  });
});

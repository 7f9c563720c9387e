import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpMaintenance } from "./http-maintenance.js";

describe("HTTP maintenance switch (real server on loopback)", () => {
  let server: Server;
  let base: string;
  const calls: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      if (req.url === "/broken") {
        res.writeHead(503);
        res.end("maintenance backend down");
      } else if (req.url === "/slow") {
        setTimeout(() => res.end("late"), 2_000);
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends the configured method to the configured URL each way", async () => {
    const mode = createHttpMaintenance({
      on: { url: `${base}/maintenance`, method: "PUT" },
      off: { url: `${base}/maintenance`, method: "DELETE" },
      timeoutMs: 2_000,
      userAgent: "test",
    });
    expect(mode.describe("on")).toBe(`PUT ${base}/maintenance`);
    expect((await mode.set("on")).detail).toMatch(/^HTTP 204 in \d+ms$/);
    await mode.set("off");
    expect(calls.slice(-2)).toEqual(["PUT /maintenance", "DELETE /maintenance"]);
  });

  it("a non-2xx answer, a timeout and a refused connection are MAINTENANCE_FAILED", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const address = closed.address();
    const closedPort = typeof address === "object" && address ? address.port : 0;
    await new Promise<void>((r) => closed.close(() => r()));
    const mode = (path: string, timeoutMs = 2_000) =>
      createHttpMaintenance({
        on: { url: `${base}${path}`, method: "POST" },
        off: { url: `http://127.0.0.1:${closedPort}/off`, method: "POST" },
        timeoutMs,
        userAgent: "test",
      });
    await expect(mode("/broken").set("on")).rejects.toMatchObject({
      code: "MAINTENANCE_FAILED",
      message: expect.stringContaining("HTTP 503: maintenance backend down"),
    });
    await expect(mode("/slow", 200).set("on")).rejects.toMatchObject({
      message: expect.stringContaining("timed out after 200ms"),
    });
    await expect(mode("/").set("off")).rejects.toMatchObject({
      message: expect.stringContaining("connection refused"),
    });
  });

  it("masks a password in the URL it shows", () => {
    const mode = createHttpMaintenance({
      on: { url: "https://ops:s3cret@lb.example/maintenance", method: "POST" },
      off: { url: "https://lb.example/maintenance", method: "DELETE" },
      timeoutMs: 1_000,
      userAgent: "test",
    });
    expect(mode.describe("on")).toBe("POST https://ops:***@lb.example/maintenance");
  });
});

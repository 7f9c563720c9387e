import { describe, expect, it } from "vitest";
import { evaluateEndpoints, evaluateHttp, type HttpAnswer } from "./evaluate-http.js";

const URL = "http://127.0.0.1:3000/version";
const answer = (status: number, body = "", latencyMs = 5): HttpAnswer => ({
  ok: true,
  status,
  body,
  latencyMs,
});

describe("evaluateHttp", () => {
  it("passes any 2xx by default and says what it saw", () => {
    const outcome = evaluateHttp({ url: URL }, answer(204));
    expect(outcome).toEqual({
      status: "pass",
      diagnostics: [`GET ${URL}: status 204 in 5ms`],
      details: { url: URL, status: 204, latencyMs: 5 },
    });
  });

  it("names the URL and the reason when nothing answered", () => {
    const outcome = evaluateHttp(
      { url: URL },
      { ok: false, error: "connection refused", latencyMs: 1 },
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toBe(`GET ${URL}: connection refused`);
    expect(outcome.diagnostics[1]).toMatch(/is the service running/);
  });

  it("checks an exact status, with the body in the diagnostic", () => {
    const outcome = evaluateHttp({ url: URL, status: 200 }, answer(503, "not ready\n"));
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics[0]).toBe(`GET ${URL}: status 503, expected 200 (body: not ready)`);
    expect(evaluateHttp({ url: URL, status: 404 }, answer(404)).status).toBe("pass");
  });

  it("checks a substring, a JSON path and a latency bound, reporting every miss", () => {
    const body = JSON.stringify({ version: "2.0.0", db: { ok: true } });
    const pass = evaluateHttp(
      {
        url: URL,
        bodyContains: "version",
        json: { path: "db.ok", equals: true },
        maxLatencyMs: 50,
      },
      answer(200, body, 12),
    );
    expect(pass.status).toBe("pass");
    expect(pass.diagnostics[0]).toBe(
      `GET ${URL}: status 200 in 12ms; body contains "version"; db.ok = true`,
    );

    const fail = evaluateHttp(
      {
        url: URL,
        bodyContains: "ready",
        json: { path: "version", equals: "1.0.0" },
        maxLatencyMs: 10,
      },
      answer(200, body, 40),
    );
    expect(fail.status).toBe("fail");
    expect(fail.diagnostics.slice(0, 3)).toEqual([
      `GET ${URL}: body does not contain "ready" (body: ${body})`,
      `GET ${URL}: version is "2.0.0", expected "1.0.0"`,
      `GET ${URL}: answered in 40ms, over the 10ms bound (maxLatency)`,
    ]);
  });

  it("says when the body is not JSON or lacks the path", () => {
    expect(
      evaluateHttp({ url: URL, json: { path: "a" } }, answer(200, "<html>")).diagnostics[0],
    ).toBe(`GET ${URL}: body is not JSON (body: <html>)`);
    expect(
      evaluateHttp({ url: URL, json: { path: "a.b" } }, answer(200, '{"a":{}}')).diagnostics[0],
    ).toBe(`GET ${URL}: no value at a.b in the JSON body`);
    expect(evaluateHttp({ url: URL, json: { path: "a" } }, answer(200, '{"a":0}')).status).toBe(
      "pass",
    );
  });
});

describe("evaluateEndpoints", () => {
  it("passes when every URL answers 2xx", () => {
    const outcome = evaluateEndpoints([
      { url: "http://h/live", answer: answer(200) },
      { url: "http://h/ready", answer: answer(200) },
    ]);
    expect(outcome.status).toBe("pass");
    expect(outcome.diagnostics).toEqual([
      "GET http://h/live: 200 in 5ms",
      "GET http://h/ready: 200 in 5ms",
    ]);
  });

  it("fails naming each URL that did not, failures first", () => {
    const outcome = evaluateEndpoints([
      { url: "http://h/live", answer: answer(200) },
      { url: "http://h/ready", answer: answer(503) },
      {
        url: "http://h/metrics",
        answer: { ok: false, error: "timed out after 10ms", latencyMs: 10 },
      },
    ]);
    expect(outcome.status).toBe("fail");
    expect(outcome.diagnostics).toEqual([
      "GET http://h/ready: status 503, expected 2xx",
      "GET http://h/metrics: timed out after 10ms",
      "GET http://h/live: 200 in 5ms",
      expect.stringMatching(/^2 of 3 endpoints did not answer 2xx/),
    ]);
  });

  it("is inconclusive with nothing to check", () => {
    expect(evaluateEndpoints([]).status).toBe("inconclusive");
  });
});

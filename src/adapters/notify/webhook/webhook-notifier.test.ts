import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNotification } from "../../../domain/policy/rollback-notification.js";
import { maskWebhookUrl } from "./mask-webhook-url.js";
import { createWebhookNotifier } from "./webhook-notifier.js";

const notification = buildNotification({
  event: "rollback.prepared",
  env: "production",
  service: "shop",
  verdict: "failed",
  severity: "SEV-2",
  reasons: ["error rate 28.2% vs baseline 0.0% (+28.2 points > 5)"],
  action: "wait-for-approval",
  planId: "rb-20260101T000000Z-abcdef",
  fromVersion: "2.0.0",
  toVersion: "1.1.0",
  approvalsNeeded: 1,
  approvalsGiven: 0,
});

/** A webhook receiver on loopback: answers by path, remembers what it got. */
describe("webhook notifier (real HTTP server on loopback)", () => {
  let server: Server;
  let base: string;
  const received: { path: string; contentType: string; body: unknown }[] = [];
  const hanging: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      req.on("end", () => {
        const path = req.url ?? "";
        if (path.startsWith("/hang")) {
          hanging.push(res);
          return;
        }
        received.push({
          path,
          contentType: req.headers["content-type"] ?? "",
          body: JSON.parse(body),
        });
        if (path.startsWith("/broken")) {
          res.writeHead(500).end("invalid_token");
          return;
        }
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    await new Promise((done) => server.close(done));
  });

  it("POSTs JSON with a Slack-compatible text and the structured fields", async () => {
    const url = `${base}/services/T000/B000/s3cr3tT0ken`;
    const notifier = createWebhookNotifier({ url, timeoutMs: 5_000 });
    const result = await notifier.send(notification);
    expect(result).toEqual({ target: `webhook ${base}/***`, ok: true });
    expect(notifier.target).not.toContain("s3cr3t");
    const got = received.find((r) => r.path === "/services/T000/B000/s3cr3tT0ken");
    expect(got?.contentType).toBe("application/json");
    expect(got?.body).toMatchObject({
      env: "production",
      service: "shop",
      verdict: "failed",
      severity: "SEV-2",
      reasons: ["error rate 28.2% vs baseline 0.0% (+28.2 points > 5)"],
      planId: "rb-20260101T000000Z-abcdef",
      approveCommand:
        'shipsafe approve rb-20260101T000000Z-abcdef --env production --reason "<why>"',
    });
    const text = String((got?.body as { text?: string } | undefined)?.text);
    expect(text).toContain("[shipsafe] SEV-2 shop in production");
    expect(text).toContain("approve with: shipsafe approve rb-20260101T000000Z-abcdef");
  });

  it("reports a non-2xx answer as a failed result, the URL's token masked", async () => {
    const url = `${base}/broken/s3cr3tT0ken`;
    const result = await createWebhookNotifier({ url, timeoutMs: 5_000 }).send(notification);
    expect(result).toEqual({
      target: `webhook ${base}/***`,
      ok: false,
      error: "HTTP 500: invalid_token",
    });
  });

  it("gives up on a receiver that does not answer within the timeout (a failed result)", async () => {
    const url = `${base}/hang/s3cr3tT0ken`;
    const result = await createWebhookNotifier({ url, timeoutMs: 200 }).send(notification);
    expect(result).toEqual({
      target: `webhook ${base}/***`,
      ok: false,
      error: "no answer within 200ms",
    });
  });

  it("reports a refused connection without the token", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const url = `http://127.0.0.1:${port}/services/s3cr3tT0ken`;
    const result = await createWebhookNotifier({ url, timeoutMs: 5_000 }).send(notification);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("s3cr3t");
    expect(result.ok === false && result.error).toMatch(/fetch failed|ECONNREFUSED/);
  });
});

describe("maskWebhookUrl", () => {
  it("keeps scheme and host, hides path, query and credentials", () => {
    expect(maskWebhookUrl("https://hooks.slack.com/services/T0/B0/XYZ")).toBe(
      "https://hooks.slack.com/***",
    );
    expect(maskWebhookUrl("https://u:p@example.com/?token=abc")).toBe("https://example.com/***");
    expect(maskWebhookUrl("https://example.com/")).toBe("https://example.com/");
    expect(maskWebhookUrl("not a url")).toBe("***");
  });
});

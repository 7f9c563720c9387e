import type { HealthProbe, ProbeResult } from "../../../ports/health-probe.js";

export interface HttpHealthProbeConfig {
  readonly live?: string | undefined;
  readonly ready?: string | undefined;
  /** Text the live response body must contain. */
  readonly liveBody?: string | undefined;
  /** Text the ready response body must contain. */
  readonly readyBody?: string | undefined;
  /** Per request, including reading the body. */
  readonly timeoutMs: number;
}

interface Endpoint {
  readonly name: ProbeResult["name"];
  readonly url: string;
  readonly body: string | undefined;
}

/**
 * Probes the configured endpoints (live, then ready) with one GET each, concurrently. A probe is ok
 * on a 2xx whose body contains the expected text when one is set; every failure is a result with an
 * `error` (connection refused, timed out after 5000ms, status 503, ...), never a throw.
 */
export function createHttpHealthProbe(config: HttpHealthProbeConfig): HealthProbe {
  const endpoints: Endpoint[] = [];
  if (config.live !== undefined)
    endpoints.push({ name: "live", url: config.live, body: config.liveBody });
  if (config.ready !== undefined)
    endpoints.push({ name: "ready", url: config.ready, body: config.readyBody });
  return {
    probe: () => Promise.all(endpoints.map((endpoint) => probeOnce(endpoint, config.timeoutMs))),
  } satisfies HealthProbe;
}

async function probeOnce(endpoint: Endpoint, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const result = (fields: { ok: boolean; status?: number; error?: string }): ProbeResult => ({
    name: endpoint.name,
    url: endpoint.url,
    latencyMs: Math.round(performance.now() - started),
    ...fields,
  });
  let status: number | undefined;
  try {
    const response = await fetch(endpoint.url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "follow",
      headers: { "user-agent": "shipsafe-health-probe" },
    });
    status = response.status;
    if (status < 200 || status > 299) {
      await response.body?.cancel();
      return result({ ok: false, status, error: `status ${status}` });
    }
    if (endpoint.body === undefined) {
      await response.body?.cancel();
      return result({ ok: true, status });
    }
    const text = await response.text();
    if (!text.includes(endpoint.body)) {
      return result({
        ok: false,
        status,
        error: `body does not contain ${JSON.stringify(endpoint.body)}`,
      });
    }
    return result({ ok: true, status });
  } catch (error) {
    const reason = describeFetchError(error, timeoutMs);
    return result(
      status === undefined ? { ok: false, error: reason } : { ok: false, status, error: reason },
    );
  }
}

/** A short, stable reason for a failed request, in the words an operator would use. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `timed out after ${timeoutMs}ms`;
  }
  const cause =
    error instanceof Error
      ? (error.cause as (Error & { code?: string; errors?: unknown[] }) | undefined)
      : undefined;
  const code = cause?.code ?? (cause?.errors?.[0] as { code?: string } | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection closed by the server";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
    case "ETIMEDOUT":
      return `timed out after ${timeoutMs}ms`;
    default:
      break;
  }
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return code ? `${code}: ${message}` : message;
}

import type { HttpAnswer } from "../../../domain/gate/evaluate-http.js";
import type { HttpClient } from "../../../ports/check-probes.js";
import { describeFetchError } from "../../health/http/http-health-probe.js";

/** Bodies are read up to this size (enough for any health or status document). */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * One GET per call with fetch, bounded by the timeout and the caller's signal. The latency covers
 * the whole response (headers and body). Failures are answers naming the reason, never throws.
 */
export function createFetchHttpClient(options: { readonly userAgent: string }): HttpClient {
  return {
    async get(url, limits) {
      const started = performance.now();
      const latency = (): number => Math.round(performance.now() - started);
      const signals = [AbortSignal.timeout(limits.timeoutMs)];
      if (limits.signal) signals.push(limits.signal);
      try {
        const response = await fetch(url, {
          signal: AbortSignal.any(signals),
          redirect: "follow",
          headers: { "user-agent": options.userAgent },
        });
        const body = await readBounded(response);
        return { ok: true, status: response.status, latencyMs: latency(), body } as HttpAnswer;
      } catch (error) {
        return {
          ok: false,
          error: describeFetchError(error, limits.timeoutMs),
          latencyMs: latency(),
        };
      }
    },
  } satisfies HttpClient;
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
}

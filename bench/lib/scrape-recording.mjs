// Records one scenario against a live demo app (real load, real fault changes, real scrapes of its
// /metrics through shipsafe's scrape adapter, real readiness probes through the HTTP probe
// adapter), and replays a recording as the ports shipsafe's meter and baseline capture read from.
import { createHttpHealthProbe } from "../../dist/adapters/health/http/http-health-probe.js";
import { createScrapeMetricsSource } from "../../dist/adapters/metrics/scrape/scrape-metrics-source.js";
import { expositionToSample } from "../../dist/domain/observation/exposition-to-sample.js";
import { DEFAULT_METRIC_NAMES } from "../../dist/domain/observation/metric-names.js";
import { parsePrometheusText } from "../../dist/domain/observation/prometheus-text.js";
import { windowSummary } from "../../dist/domain/observation/window-summary.js";
import { startLoad } from "../../examples/demo-app/load.mjs";
import { combine, drawNoise } from "./fault-scenarios.mjs";
import { prng } from "./prng.mjs";

export const SCRAPE_EVERY_MS = 1_000;
const SCRAPE_TIMEOUT_MS = 2_000;

/** Runs `fn(i)` at t0 + i·period for i < count, without drift; resolves when all have finished. */
async function every(t0, periodMs, count, fn) {
  const running = [];
  for (let i = 0; i < count; i++) {
    const wait = t0 + i * periodMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(fn(i));
  }
  await Promise.all(running);
}

/**
 * Records a scenario on a running release: load from `t0 − warmupMs`, one scrape and one readiness
 * probe every second from t0 for baselineMs + observeMs (scrape i is due at t0 + i s), and the
 * noise + fault set every second half-way between scrapes. The fault starts at
 * t0 + baselineMs + faultOffsetMs + 500 ms; `faultAt` is when its first POST was sent.
 */
export async function recordScenario(release, scenario, plan) {
  const { t0, baselineMs, observeMs, faultOffsetMs, seed } = plan;
  const url = release.url;
  // One adapter per scrape, reading through a fetch that keeps the body it parsed.
  const scrapeOnce = async () => {
    let body = null;
    const source = createScrapeMetricsSource({
      url: `${url}/metrics`,
      timeoutMs: SCRAPE_TIMEOUT_MS,
      fetch: async (target, init) => {
        const res = await fetch(target, init);
        return {
          ok: res.ok,
          status: res.status,
          statusText: res.statusText,
          text: async () => {
            body = await res.text();
            return body;
          },
        };
      },
    });
    const sample = await source.sample();
    return { at: sample.at, text: body };
  };
  const health = createHttpHealthProbe({ ready: `${url}/health/ready`, timeoutMs: 2_000 });
  const scrapes = Math.floor((baselineMs + observeMs) / SCRAPE_EVERY_MS) + 1;
  const recording = {
    scenario: scenario.name,
    url,
    t0,
    baselineMs,
    observeMs,
    observeFrom: t0 + baselineMs,
    faultAt: null,
    faultPlannedAt: t0 + baselineMs + faultOffsetMs + 500,
    scrapes: new Array(scrapes),
    faults: [],
    load: null,
    context: {},
  };
  const rng = prng(seed);
  // Client-side latencies ([sent at, ms, status]): ground truth beside the histogram's p95.
  const answers = [];
  const load = startLoad({
    baseUrl: url,
    rps: scenario.rps,
    onResult: (r) => answers.push([r.at, r.durationMs, r.status]),
  });
  await new Promise((r) => setTimeout(r, Math.max(0, plan.warmupStartAt - Date.now())));

  const scraping = every(t0, SCRAPE_EVERY_MS, scrapes, async (i) => {
    const at = Date.now();
    const [sample, probes] = await Promise.all([
      scrapeOnce().then(
        (s) => ({ ok: true, ...s }),
        (error) => ({ ok: false, at, text: null, error: error.code ?? error.message }),
      ),
      health.probe(),
    ]);
    recording.scrapes[i] = {
      due: t0 + i * SCRAPE_EVERY_MS,
      at: sample.at,
      text: sample.text,
      error: sample.error,
      probes,
    };
  });

  const ticks = scrapes - 1;
  const faulting = every(t0 + 500, SCRAPE_EVERY_MS, ticks, async (i) => {
    const due = t0 + 500 + i * SCRAPE_EVERY_MS;
    const noise = drawNoise(rng);
    const sinceFault = due - recording.faultPlannedAt;
    if (sinceFault >= 0 && recording.context.baselineP95Ms === undefined) {
      recording.context = { baselineP95Ms: baselineP95(recording) };
    }
    const fault = sinceFault >= 0 ? scenario.at(sinceFault, recording.context) : null;
    const body = combine(noise, fault ?? { errorRate: 0, extraLatencyMs: 0 });
    const sentAt = Date.now();
    if (sinceFault >= 0 && recording.faultAt === null && scenario.name !== "healthy-noisy") {
      recording.faultAt = sentAt;
    }
    const res = await fetch(`${url}/admin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    recording.faults.push({ sentAt, fault: sinceFault >= 0, ...body, status: res.status });
  });
  await Promise.all([scraping, faulting]);
  recording.load = await load.stop();
  recording.answers = answers;
  return recording;
}

/** The p95 of the baseline period as the product measures it (windowSummary of two scrapes). */
function baselineP95(recording) {
  const last = Math.floor(recording.baselineMs / SCRAPE_EVERY_MS);
  const first = recording.scrapes[0];
  const end = recording.scrapes[last];
  if (!first?.text || !end?.text) return 20;
  return windowSummary(sampleOf(first), sampleOf(end)).p95Ms ?? 20;
}

function sampleOf(scrape) {
  return expositionToSample(parsePrometheusText(scrape.text), DEFAULT_METRIC_NAMES, scrape.at);
}

/** What the service did between two instants of a recording (ground truth for the report). */
export function summarizeBetween(recording, fromMs, toMs) {
  const i = Math.max(0, Math.ceil((fromMs - recording.t0) / SCRAPE_EVERY_MS));
  const j = Math.min(
    recording.scrapes.length - 1,
    Math.floor((toMs - recording.t0) / SCRAPE_EVERY_MS),
  );
  const a = recording.scrapes[i];
  const b = recording.scrapes[j];
  if (!a?.text || !b?.text || j <= i) return null;
  return windowSummary(sampleOf(a), sampleOf(b));
}

/** p95 of the load generator's own latencies for requests sent in [fromMs, toMs). */
export function clientP95Between(recording, fromMs, toMs) {
  const ms = recording.answers
    .filter(([at]) => at >= fromMs && at < toMs)
    .map(([, d]) => d)
    .sort((a, b) => a - b);
  return ms.length === 0 ? null : ms[Math.min(ms.length - 1, Math.ceil(0.95 * ms.length) - 1)];
}

/**
 * The ports shipsafe's meter and baseline capture need (metrics, health, clock, sleep, target),
 * served from a recording on a virtual clock: at virtual time t the "service" answers what scrape
 * ⌊(t − t0) / 1 s⌋ recorded. The metrics source is shipsafe's own scrape adapter reading the
 * recorded body, so parsing, validation and interval arithmetic are the product's.
 */
export function replayPorts(recording, startAt) {
  let now = startAt;
  const current = () => {
    const i = Math.floor((now - recording.t0) / SCRAPE_EVERY_MS + 1e-9);
    const scrape = recording.scrapes[Math.min(Math.max(i, 0), recording.scrapes.length - 1)];
    return scrape;
  };
  const metrics = createScrapeMetricsSource({
    url: `${recording.url}/metrics`,
    timeoutMs: SCRAPE_TIMEOUT_MS,
    now: () => current().at,
    fetch: async () => {
      const scrape = current();
      if (scrape.text === null) throw new Error(`recorded scrape failed: ${scrape.error}`);
      return { ok: true, status: 200, statusText: "OK", text: async () => scrape.text };
    },
  });
  return {
    env: "bench",
    metrics,
    health: { probe: async () => current().probes },
    clock: { now: () => new Date(now) },
    sleep: async (ms) => {
      now += ms;
    },
    target: { current: async () => "1.0.0" },
    get now() {
      return now;
    },
    set now(value) {
      now = value;
    },
  };
}

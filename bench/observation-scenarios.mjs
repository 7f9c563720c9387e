// Benchmark: does the observation analysis decide right, and how fast? Six scenarios run against
// the real demo app (1.0.0) on loopback — healthy but noisy, short blip, sudden error spike, slow
// creep, latency-only regression, low traffic — with real open-loop HTTP load, faults set at
// runtime through POST /admin/faults, and a real scrape of /metrics (shipsafe's scrape adapter)
// every second. Each recording is then replayed through three analyzers judging identical data,
// with shipsafe's own baseline capture and meter: shipsafe's analysis (analyzeWindow) at 5 s, the
// plain fixed-threshold rule (fixedThresholdWindow) at 5 s, and the common default of 1-minute
// intervals with 5 consecutive failures. Reports per analyzer and scenario: rolled back or not,
// time from the fault's start to the failed verdict; per analyzer false rollbacks, missed
// regressions and the median time to verdict. Prints tables and one JSON line. Method and results:
// docs/analysis.md.
//
// Run against the build (all scenarios of a run record concurrently, ~9.5 min per run):
//   npm run build && node bench/observation-scenarios.mjs [--runs 1] [--seed 1] [--quick]
// --quick: 30 s baseline, 50 s observation (a smoke run: the 1-minute analyzer is skipped).
// --baseline-s / --fault-s / --observe-s override the durations (seconds; the fault starts
// fault-s + 0.5 s after the change). --save <file> keeps the raw recordings; --replay <file>
// judges saved recordings again without a live run (same data, e.g. after an analysis change).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startDemoRelease } from "./lib/demo-release.mjs";
import { SCENARIOS } from "./lib/fault-scenarios.mjs";
import { formatReport } from "./lib/observation-report.mjs";
import { ANALYZERS, replay } from "./lib/replay-analyzers.mjs";
import { clientP95Between, recordScenario, summarizeBetween } from "./lib/scrape-recording.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const quick = argv.includes("--quick");
const runs = Number(opt("runs", 1));
const seed = Number(opt("seed", 1));
if (!(Number.isInteger(runs) && runs >= 1) || !Number.isInteger(seed)) {
  console.error("usage: node bench/observation-scenarios.mjs [--runs N] [--seed S] [--quick]");
  process.exit(2);
}
const preset = quick
  ? { baselineMs: 30_000, faultOffsetMs: 10_000, observeMs: 50_000, warmupMs: 3_000 }
  : { baselineMs: 180_000, faultOffsetMs: 20_000, observeMs: 380_000, warmupMs: 3_000 };
const secondsOpt = (name, fallbackMs) => Number(opt(name, fallbackMs / 1000)) * 1000;
const DURATIONS = {
  baselineMs: secondsOpt("baseline-s", preset.baselineMs),
  faultOffsetMs: secondsOpt("fault-s", preset.faultOffsetMs),
  observeMs: secondsOpt("observe-s", preset.observeMs),
  warmupMs: preset.warmupMs,
};
const saveTo = opt("save");
const replayFrom = opt("replay");
const log = (message) => process.stderr.write(`[observation-bench] ${message}\n`);

const started = new Date();
const load = { start: loadavg(), samples: [] };
const loadTimer = setInterval(() => load.samples.push(loadavg()[0]), 30_000);
const work = await mkdtemp(join(tmpdir(), "shipsafe-observation-bench-"));
const releases = [];
const stopAll = () => Promise.all(releases.splice(0).map((r) => r.stop()));
process.once("SIGINT", () => {
  void stopAll().finally(() => process.exit(130));
});

const runsRecorded = [];
try {
  if (replayFrom) {
    // Re-judge saved recordings (e.g. after an analysis change): identical data, no live run.
    const saved = JSON.parse(await readFile(replayFrom, "utf8"));
    runsRecorded.push(...saved.runs);
    Object.assign(DURATIONS, saved.durations);
    log(`replaying ${saved.runs.length} recorded run(s) from ${replayFrom} (${saved.date})`);
  }
  for (let run = 0; !replayFrom && run < runs; run++) {
    const runSeed = seed * 1_000 + run;
    const per = Math.round((DURATIONS.baselineMs + DURATIONS.observeMs) / 1000);
    log(
      `run ${run + 1}/${runs} (seed ${runSeed}): recording ${SCENARIOS.length} scenarios at once, ${per} s`,
    );
    const apps = await Promise.all(
      SCENARIOS.map((s) => startDemoRelease("1.0.0", join(work, `run${run}-${s.name}.db`))),
    );
    releases.push(...apps);
    const warmupStartAt = Date.now();
    const t0 = warmupStartAt + DURATIONS.warmupMs;
    runsRecorded.push(
      await Promise.all(
        SCENARIOS.map((s, i) =>
          recordScenario(apps[i], s, { ...DURATIONS, t0, warmupStartAt, seed: runSeed * 16 + i }),
        ),
      ),
    );
    await stopAll();
  }
} finally {
  clearInterval(loadTimer);
  await stopAll();
  await rm(work, { recursive: true, force: true });
}
load.end = loadavg();
if (saveTo) {
  await writeFile(
    saveTo,
    JSON.stringify({ date: started.toISOString(), durations: DURATIONS, runs: runsRecorded }),
  );
  log(`recordings saved to ${saveTo}`);
}

log(`replaying through ${ANALYZERS.length} analyzers`);
const results = [];
const truth = [];
for (const [run, recordings] of runsRecorded.entries()) {
  for (const [i, recording] of recordings.entries()) {
    const scenario = SCENARIOS[i];
    const refAt = recording.faultAt ?? recording.observeFrom;
    truth.push(groundTruth(run, scenario, recording));
    for (const analyzer of ANALYZERS) {
      for (const phaseMs of analyzer.phasesMs) {
        if (phaseMs > DURATIONS.faultOffsetMs) continue;
        const outcome = await replay(recording, analyzer, phaseMs, refAt);
        results.push({ run, scenario: scenario.name, analyzer: analyzer.id, ...outcome });
      }
    }
  }
}

const report = formatReport({ scenarios: SCENARIOS, analyzers: ANALYZERS, results, truth });
console.log(report.text);
console.log(
  JSON.stringify({
    date: started.toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: load,
    runs: runsRecorded.length,
    seed,
    quick,
    replayedFrom: replayFrom ?? null,
    durations: DURATIONS,
    scrapeEveryMs: 1_000,
    scenarios: SCENARIOS.map((s) => ({
      name: s.name,
      regression: s.regression,
      rps: s.rps,
      fault: s.fault,
    })),
    analyzers: ANALYZERS.map((a) => ({
      id: a.id,
      label: a.label,
      intervalMs: a.intervalMs,
      phasesMs: a.phasesMs.filter((p) => p <= DURATIONS.faultOffsetMs),
      consecutiveFailures: a.options.consecutiveFailures,
    })),
    truth,
    summary: report.summary,
    results,
  }),
);

/** What the service actually did, measured from the recording with windowSummary. */
function groundTruth(run, scenario, recording) {
  const end = recording.observeFrom + recording.observeMs;
  const fmt = (w) =>
    w && {
      requests: w.requests,
      errors: w.errors,
      errorRate: w.errorRate === null ? null : Number(w.errorRate.toFixed(4)),
      p95Ms: w.p95Ms === null ? null : Number(w.p95Ms.toFixed(1)),
      rps: Number(w.throughputRps.toFixed(1)),
    };
  const faultFrom = recording.faultAt ?? recording.observeFrom;
  const faultTo = scenario.name === "blip" ? faultFrom + 10_000 : end;
  const clientP95 = (from, to) => {
    const p = clientP95Between(recording, from, to);
    return p === null ? null : Number(p.toFixed(1));
  };
  return {
    run,
    scenario: scenario.name,
    faultAt: recording.faultAt,
    faultAfterChangeMs: recording.faultAt && recording.faultAt - recording.observeFrom,
    baselineP95Ms: recording.context.baselineP95Ms ?? null,
    baseline: fmt(summarizeBetween(recording, recording.t0, recording.observeFrom)),
    fault: fmt(summarizeBetween(recording, faultFrom, faultTo)),
    clientP95Ms: {
      baseline: clientP95(recording.t0, recording.observeFrom),
      fault: clientP95(faultFrom, faultTo),
    },
    failedScrapes: recording.scrapes.filter((s) => s.text === null).length,
    scrapeLagMs: Math.max(...recording.scrapes.map((s) => s.at - s.due)),
    load: recording.load,
  };
}

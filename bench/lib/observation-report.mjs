// Tables and the summary of bench/observation-scenarios.mjs.

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const sec = (ms) => (ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`);
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);

/** Per analyzer and scenario: how often it rolled back and how fast; per analyzer the goals. */
export function summarize({ scenarios, analyzers, results }) {
  const summary = {};
  for (const a of analyzers) {
    const perScenario = {};
    for (const s of scenarios) {
      const rs = results.filter((r) => r.analyzer === a.id && r.scenario === s.name && !r.skipped);
      const caught = rs.filter((r) => r.rolledBack && !r.beforeFault);
      const ttv = caught.map((r) => r.timeToVerdictMs);
      perScenario[s.name] = {
        replays: rs.length,
        rolledBack: rs.filter((r) => r.rolledBack).length,
        beforeFault: rs.filter((r) => r.beforeFault).length,
        medianTimeToVerdictMs: median(ttv),
        minTimeToVerdictMs: ttv.length ? Math.min(...ttv) : null,
        maxTimeToVerdictMs: ttv.length ? Math.max(...ttv) : null,
        finalStatuses: count(rs.map((r) => r.finalStatus)),
      };
    }
    const quiet = scenarios.filter((s) => !s.regression).map((s) => perScenario[s.name]);
    const bad = scenarios.filter((s) => s.regression).map((s) => perScenario[s.name]);
    const regressionTimes = results
      .filter(
        (r) =>
          r.analyzer === a.id &&
          !r.skipped &&
          r.rolledBack &&
          !r.beforeFault &&
          scenarios.find((s) => s.name === r.scenario)?.regression,
      )
      .map((r) => r.timeToVerdictMs);
    summary[a.id] = {
      label: a.label,
      falseRollbacks: {
        count: quiet.reduce((n, x) => n + x.rolledBack, 0),
        of: quiet.reduce((n, x) => n + x.replays, 0),
      },
      // Noise that failed a regression scenario's window before its fault began.
      rolledBackBeforeFault: {
        count: bad.reduce((n, x) => n + x.beforeFault, 0),
        of: bad.reduce((n, x) => n + x.replays, 0),
      },
      // A window that ended without a failed verdict; a rollback before the fault is counted
      // as a false rollback above, not as a miss.
      missedRegressions: {
        count: bad.reduce((n, x) => n + x.replays - x.rolledBack, 0),
        of: bad.reduce((n, x) => n + x.replays, 0),
      },
      medianTimeToVerdictMs: median(regressionTimes),
      perScenario,
    };
  }
  return summary;
}

function count(xs) {
  const out = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** Markdown tables: results per scenario, the goals per analyzer, every replay, ground truth. */
export function formatReport({ scenarios, analyzers, results, truth }) {
  const summary = summarize({ scenarios, analyzers, results });
  const lines = [];
  const row = (cells) => lines.push(`| ${cells.join(" | ")} |`);

  row(["scenario (expected)", ...analyzers.map((a) => a.label)]);
  row(["---", ...analyzers.map(() => "---")]);
  for (const s of scenarios) {
    const cells = analyzers.map((a) => {
      const x = summary[a.id].perScenario[s.name];
      if (x.replays === 0) return "not run";
      const range =
        x.minTimeToVerdictMs === x.maxTimeToVerdictMs
          ? ""
          : ` (${sec(x.minTimeToVerdictMs)}-${sec(x.maxTimeToVerdictMs)})`;
      const early = x.beforeFault ? ` + **${x.beforeFault} false, before the fault**` : "";
      if (s.regression) {
        const caught = x.rolledBack - x.beforeFault;
        const missed = x.replays - x.rolledBack;
        const head = missed === 0 ? "caught" : `**missed ${missed}**, caught`;
        return `${head} ${caught}/${x.replays}${early}, ${sec(x.medianTimeToVerdictMs)}${range}`;
      }
      if (x.rolledBack === 0) return `no rollback (0/${x.replays})`;
      return `**rolled back ${x.rolledBack}/${x.replays}**, at ${sec(x.medianTimeToVerdictMs)}${range}`;
    });
    row([`${s.name} (${s.regression ? "roll back" : "no rollback"})`, ...cells]);
  }

  lines.push("");
  const bad = scenarios.filter((s) => s.regression);
  row([
    "analyzer",
    `false rollbacks (${scenarios
      .filter((s) => !s.regression)
      .map((s) => s.name)
      .join(", ")})`,
    "rolled back before the fault",
    "missed regressions",
    "median time to verdict (regressions)",
    ...bad.map((s) => `median, ${s.name}`),
  ]);
  row(["---", "---:", "---:", "---:", "---:", ...bad.map(() => "---:")]);
  for (const a of analyzers) {
    const x = summary[a.id];
    row([
      a.label,
      `${x.falseRollbacks.count}/${x.falseRollbacks.of}`,
      `${x.rolledBackBeforeFault.count}/${x.rolledBackBeforeFault.of}`,
      `${x.missedRegressions.count}/${x.missedRegressions.of}`,
      sec(x.medianTimeToVerdictMs),
      ...bad.map((s) => sec(x.perScenario[s.name].medianTimeToVerdictMs)),
    ]);
  }

  lines.push("", "Every replay (time to verdict per grid phase; – = no rollback):", "");
  row(["scenario", "analyzer", "run", "phases (s)", "time to verdict", "final / severity"]);
  row(["---", "---", "---:", "---", "---", "---"]);
  for (const s of scenarios) {
    for (const a of analyzers) {
      const runs = [...new Set(results.map((r) => r.run))];
      for (const run of runs) {
        const rs = results.filter(
          (r) => r.analyzer === a.id && r.scenario === s.name && r.run === run && !r.skipped,
        );
        if (rs.length === 0) continue;
        row([
          s.name,
          a.label,
          String(run + 1),
          rs.map((r) => r.phaseMs / 1000).join(", "),
          rs.map((r) => (r.rolledBack ? sec(r.timeToVerdictMs) : "–")).join(", "),
          [...new Set(rs.map((r) => `${r.finalStatus}${r.severity ? ` ${r.severity}` : ""}`))].join(
            ", ",
          ),
        ]);
      }
    }
  }

  lines.push("", "What the service did (windowSummary over the recording):", "");
  row([
    "scenario",
    "run",
    "baseline: rps, errors, p95",
    "fault window: requests, errors, p95",
    "fault after change",
    "failed scrapes",
  ]);
  row(["---", "---:", "---", "---", "---:", "---:"]);
  for (const t of truth) {
    const b = t.baseline;
    const f = t.fault;
    row([
      t.scenario,
      String(t.run + 1),
      b ? `${b.rps}, ${pct(b.errorRate)}, ${b.p95Ms} ms` : "–",
      f ? `${f.requests}, ${f.errors} (${pct(f.errorRate)}), ${f.p95Ms} ms` : "–",
      t.faultAfterChangeMs === null ? "–" : sec(t.faultAfterChangeMs),
      String(t.failedScrapes),
    ]);
  }

  const reasons = results.filter((r) => r.rolledBack);
  if (reasons.length > 0) {
    lines.push("", "First reason of each failed verdict (one per scenario and analyzer):", "");
    const seen = new Set();
    for (const r of reasons) {
      const key = `${r.scenario}/${r.analyzer}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`- ${key} (phase ${r.phaseMs / 1000} s): ${r.reason}`);
    }
  }
  return { text: lines.join("\n"), summary };
}

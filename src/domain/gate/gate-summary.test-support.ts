import type { JsonObject } from "../model/json.js";
import type { StoredGateRun } from "./gate-summary-input.js";

/**
 * Thirty release runs, oldest first, hand-written so tests can count them by eye (P passed,
 * F failed); the checks that failed each F run are listed beside it.
 *
 *   runs  1-10  P F P F F P P F P P   6 passed
 *   runs 11-20  P P F P P P F P P P   8 passed
 *   runs 21-30  P P P P F P P P P P   9 passed
 */
export const RELEASE_SEQUENCE = "PFPFFPPFPP" + "PPFPPPFPPP" + "PPPPFPPPPP";

/** Run number (1-based) → the checks that failed it, with their status. */
export const RELEASE_FAILURES: Readonly<
  Record<number, Readonly<Record<string, "fail" | "error">>>
> = {
  2: { http: "fail" },
  4: { http: "fail", endpoints: "fail" },
  5: { build: "error" },
  8: { http: "fail" },
  13: { tests: "fail" },
  17: { http: "fail", tests: "fail" },
  25: { endpoints: "fail" },
};

const SUBSYSTEMS: Readonly<Record<string, string>> = {
  build: "build",
  tests: "tests",
  http: "health",
  endpoints: "health",
  git: "source",
  "disk-space": "host",
  tools: "host",
};

/** Minute `n` after 2026-11-01T00:00Z, as a stored run's start time. */
export const minute = (n: number): string => new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString();

/** A stored run as `runGate` stores it (the doc holds the run and its evidence hash). */
export function storedRun(
  gate: string,
  n: number,
  checks: readonly { name: string; status: string; diagnostics?: string[] }[],
  env = "production",
): StoredGateRun {
  const passed = checks.every((c) => c.status !== "fail" && c.status !== "error");
  const id = `gate-${gate}-${String(n).padStart(2, "0")}`;
  const doc: JsonObject = {
    id,
    gate,
    env,
    startedAt: minute(n),
    durationMs: 100,
    passed,
    checks: checks.map((c) => ({
      name: c.name,
      subsystem: SUBSYSTEMS[c.name] ?? c.name,
      status: c.status,
      diagnostics: c.diagnostics ?? [`${c.name}: ${c.status}`],
      durationMs: 5,
    })),
    evidenceHash: `${gate.slice(0, 1)}${String(n).padStart(63, "0")}`,
  };
  return { id, gate, env, startedAt: minute(n), passed, doc };
}

/** Release run `i` (1-based) of the thirty: five checks, `git` always a warning. */
export function releaseRun(i: number, minuteOf = i * 10): StoredGateRun {
  const failures = RELEASE_FAILURES[i] ?? {};
  const checks = ["build", "tests", "http", "endpoints", "git"].map((name) => ({
    name,
    status: name === "git" ? "warn" : (failures[name] ?? "pass"),
    ...(i === 25 && name === "endpoints"
      ? {
          diagnostics: [
            "GET http://127.0.0.1:9/health/live: connection refused",
            "is the service running?",
          ],
        }
      : {}),
  }));
  return storedRun("release", minuteOf, checks);
}

/**
 * The stored runs of an environment, newest first as the store lists them: the thirty release
 * runs, `host` F F F P, `nightly` P P F, one `restore` P, and a staging run to be ignored.
 */
export function thirtyRunsFixture(): StoredGateRun[] {
  const pass = (name: string) => ({ name, status: "pass" });
  const fail = (name: string) => ({ name, status: "fail" });
  const runs = [
    ...Array.from({ length: 30 }, (_, k) => releaseRun(k + 1)),
    storedRun("host", 11, [fail("disk-space")]),
    storedRun("host", 21, [fail("disk-space")]),
    storedRun("host", 31, [fail("tools")]),
    storedRun("host", 41, [pass("tools"), pass("disk-space")]),
    storedRun("nightly", 12, [pass("tests")]),
    storedRun("nightly", 22, [pass("tests")]),
    storedRun("nightly", 32, [fail("tests")]),
    storedRun("restore", 13, [pass("backup-age")]),
    storedRun("release", 500, [fail("build")], "staging"),
  ];
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

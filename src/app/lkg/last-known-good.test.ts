import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../domain/model/json.js";
import { fakeEnvironment } from "../gate/gate-fakes.test-support.js";
import { saveReleaseRecord } from "../release/release-records.js";
import { resolveRollbackTarget } from "../rollback/resolve-rollback-target.js";
import { lastKnownGood } from "./last-known-good.js";
import { lastKnownGoodTag } from "./last-known-good-tag.js";

type Env = ReturnType<typeof fakeEnvironment>;

async function deployed(env: Env, version: string, at: string, verdict: string): Promise<void> {
  await saveReleaseRecord(env.ports, version, verdict === "healthy" ? "healthy" : "failed", {
    deployedAt: at,
    verdict: { status: verdict } as JsonObject,
    observedHealthy: verdict === "healthy",
  });
}

async function gateRun(
  env: Env,
  id: string,
  version: string | null,
  passed: boolean,
  doc: JsonObject = {},
) {
  const evidenceHash = await env.evidence.put({ format: "shipsafe-gate-run/1", ...doc });
  await env.store.gateRuns.put({
    id,
    gate: "release",
    env: "prod",
    startedAt: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
    passed,
    doc: { version, evidenceHash },
  });
}

describe("last known good over the store", () => {
  it("rollback --to lkg resolves to the newest gated, healthy release other than the current one", async () => {
    const env = fakeEnvironment({ current: "1.1.0" });
    await deployed(env, "1.0.0", "2026-01-01T01:00:00.000Z", "healthy");
    await deployed(env, "1.1.0", "2026-01-01T02:00:00.000Z", "healthy");
    await gateRun(env, "gate-1", "1.0.0", true);
    await gateRun(env, "gate-2", "1.1.0", true);
    expect(await resolveRollbackTarget(env.ports, "lkg")).toEqual({ version: "1.0.0" });
    // `shipsafe lkg` itself does not leave out the current release.
    expect((await lastKnownGood(env.ports)).lkg?.version).toBe("1.1.0");
  });

  it("says what is wrong and how to fix it when no release qualifies", async () => {
    const env = fakeEnvironment({ current: "1.1.0" });
    await deployed(env, "1.0.0", "2026-01-01T01:00:00.000Z", "healthy");
    await deployed(env, "1.1.0", "2026-01-01T02:00:00.000Z", "healthy");
    await expect(resolveRollbackTarget(env.ports, "lkg")).rejects.toMatchObject({
      code: "NO_LAST_KNOWN_GOOD",
      exitCode: 2,
      message:
        "no release of prod is last known good (1.1.0: it is the current release; no release gate ran for it (shipsafe release prepare 1.1.0); 1.0.0: no release gate ran for it (shipsafe release prepare 1.0.0))",
      hint: expect.stringMatching(
        /see shipsafe lkg --env prod, or roll back to a named version \(known: 1\.0\.0, 1\.1\.0\)/,
      ),
    });
  });

  it("--from-git: a tag counts when a passing release gate run's evidence names its commit", async () => {
    const env = fakeEnvironment();
    const commit = (n: number) => String(n).repeat(40);
    await gateRun(env, "gate-1", null, true, { gitCommit: commit(1) });
    await gateRun(env, "gate-2", null, true, { gitCommit: commit(2) });
    await gateRun(env, "gate-3", null, false, { gitCommit: commit(3) });
    const tags = {
      tags: async () => [
        { name: "v1.0.0", commit: commit(1) },
        { name: "rc-1.1.0", commit: commit(2) },
        { name: "v1.2.0", commit: commit(3) },
      ],
    };
    const result = await lastKnownGoodTag(
      { env: "prod", store: env.store, evidence: env.evidence, tags },
      { repo: "/repo", patterns: ["rc-*", "ga-*", "v*.*.*"] },
    );
    expect(result.lkg).toMatchObject({ tag: "rc-1.1.0", gateRunId: "gate-2" });
    expect(result.candidates.map((c) => c.good)).toEqual([false, true, true]);
  });
});

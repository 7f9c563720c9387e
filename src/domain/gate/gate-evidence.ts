import type { JsonObject, JsonValue } from "../model/json.js";
import type { GatePlan } from "./gate-plan.js";
import type { GateRun } from "./gate-run.js";

/** Versions of what ran the gate. */
export interface GateRuntime {
  readonly node: string;
  readonly shipsafe: string;
  readonly platform: string;
  readonly arch: string;
}

export interface GateEvidenceInput {
  readonly service: string;
  readonly run: GateRun;
  readonly plan: GatePlan;
  /** sha256 of the resolved config with every secret masked; null when there was no config. */
  readonly configHash: string | null;
  /** The HEAD commit of the config's directory when it is a git checkout. */
  readonly gitCommit: string | null;
  readonly runtime: GateRuntime;
}

/** Tool versions for the evidence: node and shipsafe, plus every version a `tools` check found. */
export function toolVersions(run: GateRun, runtime: GateRuntime): Record<string, string> {
  const versions: Record<string, string> = { node: runtime.node, shipsafe: runtime.shipsafe };
  for (const check of run.checks) {
    const found = check.details?.tools;
    if (found === null || typeof found !== "object" || Array.isArray(found)) continue;
    for (const [tool, version] of Object.entries(found)) {
      if (typeof version === "string" && !(tool in versions)) versions[tool] = version;
    }
  }
  return versions;
}

/**
 * The evidence document of a gate run: the full result, what was checked and with which settings,
 * tool versions, the config hash and the git commit. Secrets are masked by the ledger's redactor.
 */
export function gateEvidence(input: GateEvidenceInput): JsonObject {
  const { run, plan } = input;
  return {
    format: "shipsafe-gate-run/1",
    service: input.service,
    env: run.env,
    gate: run.gate,
    source: plan.source,
    version: run.version ?? null,
    run: run as unknown as JsonValue,
    checks: plan.checks as unknown as JsonValue,
    tools: toolVersions(run, input.runtime),
    host: { platform: input.runtime.platform, arch: input.runtime.arch },
    configHash: input.configHash,
    gitCommit: input.gitCommit,
  };
}

import type { CheckOutcome } from "./check-outcome.js";
import { excerpt } from "./check-outcome.js";
import { satisfiesMinimum, versionInOutput } from "./semver.js";

export interface ToolRequirement {
  readonly name: string;
  readonly minVersion?: string | undefined;
  readonly versionArgs?: readonly string[] | undefined;
}

/** What running `<tool> <versionArgs>` found. */
export type ToolAnswer =
  | { readonly found: false; readonly error: string }
  | { readonly found: true; readonly exitCode: number | undefined; readonly output: string };

export const DEFAULT_VERSION_ARGS: readonly string[] = ["--version"];

interface ToolVerdict {
  readonly ok: boolean;
  readonly version: string | undefined;
  readonly text: string;
}

function judgeTool(tool: ToolRequirement, answer: ToolAnswer): ToolVerdict {
  const args = (tool.versionArgs ?? DEFAULT_VERSION_ARGS).join(" ");
  if (!answer.found) {
    return { ok: false, version: undefined, text: `${tool.name}: ${answer.error}` };
  }
  const version = versionInOutput(answer.output);
  if (version === undefined) {
    const ran = `\`${tool.name} ${args}\``;
    const why =
      answer.exitCode !== undefined && answer.exitCode !== 0
        ? ` exited ${answer.exitCode} and`
        : "";
    const text = `${tool.name}: ${ran}${why} printed no version (${excerpt(answer.output, 100) || "no output"})`;
    // Without a minimum, being present is enough.
    return tool.minVersion === undefined && answer.exitCode === 0
      ? { ok: true, version, text: `${tool.name}: present (version not printed)` }
      : { ok: false, version, text };
  }
  if (tool.minVersion === undefined) return { ok: true, version, text: `${tool.name} ${version}` };
  const enough = satisfiesMinimum(version, tool.minVersion) === true;
  return enough
    ? { ok: true, version, text: `${tool.name} ${version} (>= ${tool.minVersion})` }
    : {
        ok: false,
        version,
        text: `${tool.name} ${version} is older than the required ${tool.minVersion}`,
      };
}

/** Every tool must be present, at its minimum version when one is set; versions are recorded. */
export function evaluateTools(
  tools: readonly ToolRequirement[],
  answers: readonly ToolAnswer[],
): CheckOutcome {
  const verdicts = tools.map((tool, i) =>
    judgeTool(tool, answers[i] ?? { found: false, error: "not checked" }),
  );
  const versions: Record<string, string | null> = {};
  tools.forEach((tool, i) => {
    versions[tool.name] = verdicts[i]?.version ?? null;
  });
  const failed = verdicts.filter((v) => !v.ok);
  if (failed.length === 0) {
    return {
      status: "pass",
      diagnostics: [verdicts.map((v) => v.text).join(", ")],
      details: { tools: versions },
    };
  }
  return {
    status: "fail",
    diagnostics: [
      ...failed.map((v) => v.text),
      "install or upgrade them on this host (the PATH shipsafe runs with), or fix the tool list",
    ],
    details: { tools: versions },
  };
}

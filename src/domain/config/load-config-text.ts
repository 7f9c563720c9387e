import { type Document, LineCounter, parseDocument, type YAMLError } from "yaml";
import { type ProblemDetail, ShipsafeError } from "../errors.js";
import { createRedactor } from "../redaction.js";
import { describeIssue, type PendingProblem } from "./describe-issue.js";
import { type ConfigPath, type ConfigVars, interpolate } from "./interpolate.js";
import { shipsafeConfigSchema } from "./schema.js";
import { findSecrets } from "./secrets.js";
import { formatPath, positionOf } from "./source-positions.js";
import type { LoadedConfig } from "./types.js";

/**
 * Parses, interpolates and validates shipsafe.yaml text (YAML or JSON). Pure. Throws one
 * ShipsafeError listing every problem: CONFIG_SYNTAX for unparsable text, CONFIG_INVALID otherwise.
 */
export function loadConfigText(text: string, file: string, vars: ConfigVars): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw syntaxError(doc.errors, text, file, lineCounter);

  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    throw new ShipsafeError({
      code: "CONFIG_INVALID",
      kind: "config",
      message: `${file}: the config file is empty`,
      hint: 'run "shipsafe init" to write a starting config',
      location: `${file}:1:1`,
    });
  }

  const interpolated = interpolate(raw, vars);
  const envFileValues = Object.values(vars.envFile);
  const fromEnvFile = new Set(interpolated.envFilePaths.map(formatPath));
  const isSecret = (path: ConfigPath): boolean => fromEnvFile.has(formatPath(path));

  const pending: PendingProblem[] = interpolated.problems.map((problem) => ({ ...problem }));
  const result = shipsafeConfigSchema.safeParse(interpolated.value, { reportInput: true });
  if (!result.success) {
    const reported = new Set(pending.map((problem) => formatPath(problem.path)));
    for (const issue of result.error.issues) {
      // A value with a missing variable is reported once, as the missing variable.
      if (reported.has(formatPath(issue.path as ConfigPath))) continue;
      pending.push(...describeIssue(issue, shipsafeConfigSchema, interpolated.value, isSecret));
    }
  }
  if (pending.length > 0 || !result.success) {
    throw invalidError(pending, doc, file, lineCounter, envFileValues, interpolated.envFilePaths);
  }

  const secrets = findSecrets(result.data, interpolated.envFilePaths, envFileValues);
  return { file, config: result.data, ...secrets };
}

function invalidError(
  pending: readonly PendingProblem[],
  doc: Document,
  file: string,
  lineCounter: LineCounter,
  envFileValues: readonly string[],
  envFilePaths: readonly ConfigPath[],
): ShipsafeError {
  // Messages must never carry env-file values; mask them as a second line of defence.
  const { secretValues } = findSecrets({}, envFilePaths, envFileValues);
  const redactor = createRedactor(secretValues);
  const located = pending
    .map((problem) => ({
      problem,
      position: positionOf(doc.contents, problem.path, lineCounter, {
        key: problem.atKey === true,
      }),
    }))
    .sort((a, b) => a.position.line - b.position.line || a.position.col - b.position.col);
  const problems: ProblemDetail[] = located.map(({ problem, position }) => ({
    location: `${file}:${position.line}:${position.col}`,
    path: formatPath(problem.path),
    message: redactor.redactText(problem.message),
    hint: redactor.redactText(problem.hint),
  }));
  const first = problems[0];
  if (first === undefined) throw new Error("invalidError called without problems");
  return new ShipsafeError({
    code: "CONFIG_INVALID",
    kind: "config",
    message:
      problems.length === 1
        ? `${first.location} ${first.path}: ${first.message}`
        : `${file}: ${problems.length} problems`,
    hint: problems.length === 1 ? first.hint : "fix each problem listed below",
    location: first.location,
    problems,
  });
}

function syntaxError(
  errors: readonly YAMLError[],
  text: string,
  file: string,
  lineCounter: LineCounter,
): ShipsafeError {
  const problems: ProblemDetail[] = errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const key = /^["']?([^"':,}\s]+)/.exec(text.slice(error.pos[0]))?.[1];
    const duplicate = error.code === "DUPLICATE_KEY";
    const lineText = text.split("\n")[line - 1] ?? "";
    const unquotedVariable = /[[{][^"'\n]*\$\{/.test(lineText);
    return {
      location: `${file}:${line}:${col}`,
      path: "",
      message: duplicate && key !== undefined ? `duplicate key "${key}"` : error.message,
      hint: duplicate
        ? "each key may appear once per mapping; merge or rename the duplicates"
        : unquotedVariable
          ? 'inside [ ] or { } quote values that use ${VAR}, e.g. [node, "${APP_ENTRY}"]'
          : "fix the YAML syntax (indent with spaces, close brackets and quotes)",
    };
  });
  const first = problems[0] as ProblemDetail;
  return new ShipsafeError({
    code: "CONFIG_SYNTAX",
    kind: "config",
    message:
      problems.length === 1
        ? `${first.location}: ${first.message}`
        : `${file}: ${problems.length} syntax errors`,
    hint: first.hint,
    location: first.location,
    problems,
  });
}

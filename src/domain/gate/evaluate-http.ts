import type { JsonValue } from "../model/json.js";
import { type CheckOutcome, excerpt } from "./check-outcome.js";
import { parseJsonPath, valueAt } from "./json-path.js";

/** What one GET found: a response, or why there was none (connection refused, timed out, ...). */
export type HttpAnswer =
  | {
      readonly ok: true;
      readonly status: number;
      readonly latencyMs: number;
      readonly body: string;
    }
  | { readonly ok: false; readonly error: string; readonly latencyMs: number };

export interface HttpExpectation {
  readonly url: string;
  /** Exact status; undefined: any 2xx. */
  readonly status?: number | undefined;
  readonly bodyContains?: string | undefined;
  readonly json?: { readonly path: string; readonly equals?: JsonValue | undefined } | undefined;
  readonly maxLatencyMs?: number | undefined;
}

const NOT_ANSWERING_HINT =
  "is the service running and listening there? `shipsafe health` probes it; `shipsafe release list` shows what runs";

/** Judges one HTTP answer against what the check expects; every mismatch is named. */
export function evaluateHttp(expect: HttpExpectation, answer: HttpAnswer): CheckOutcome {
  const where = `GET ${expect.url}`;
  if (!answer.ok) {
    return {
      status: "fail",
      diagnostics: [`${where}: ${answer.error}`, NOT_ANSWERING_HINT],
      details: { url: expect.url, error: answer.error, latencyMs: answer.latencyMs },
    };
  }
  const problems: string[] = [];
  const found: string[] = [`${where}: status ${answer.status} in ${answer.latencyMs}ms`];
  const statusOk =
    expect.status === undefined
      ? answer.status >= 200 && answer.status <= 299
      : answer.status === expect.status;
  if (!statusOk) {
    problems.push(
      `${where}: status ${answer.status}, expected ${expect.status ?? "2xx"}${answer.body ? ` (body: ${excerpt(answer.body)})` : ""}`,
    );
  }
  if (expect.bodyContains !== undefined) {
    if (answer.body.includes(expect.bodyContains)) {
      found.push(`body contains ${JSON.stringify(expect.bodyContains)}`);
    } else {
      problems.push(
        `${where}: body does not contain ${JSON.stringify(expect.bodyContains)} (body: ${excerpt(answer.body) || "empty"})`,
      );
    }
  }
  if (expect.json !== undefined) {
    const judged = judgeJson(answer.body, expect.json);
    if (judged.ok) found.push(judged.text);
    else problems.push(`${where}: ${judged.text}`);
  }
  if (expect.maxLatencyMs !== undefined && answer.latencyMs > expect.maxLatencyMs) {
    problems.push(
      `${where}: answered in ${answer.latencyMs}ms, over the ${expect.maxLatencyMs}ms bound (maxLatency)`,
    );
  }
  const details = { url: expect.url, status: answer.status, latencyMs: answer.latencyMs };
  if (problems.length > 0) {
    return {
      status: "fail",
      diagnostics: [...problems, "fix the service or the check's expectation (docs/gates.md#http)"],
      details,
    };
  }
  return { status: "pass", diagnostics: [found.join("; ")], details };
}

function judgeJson(
  body: string,
  json: NonNullable<HttpExpectation["json"]>,
): { ok: boolean; text: string } {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(body) as JsonValue;
  } catch {
    return { ok: false, text: `body is not JSON (body: ${excerpt(body) || "empty"})` };
  }
  const steps = parseJsonPath(json.path);
  if (steps === undefined) return { ok: false, text: `invalid JSON path ${json.path}` };
  const at = valueAt(parsed, steps);
  if (!at.found) return { ok: false, text: `no value at ${json.path} in the JSON body` };
  if (json.equals === undefined) {
    return { ok: true, text: `${json.path} = ${JSON.stringify(at.value)}` };
  }
  return at.value === json.equals
    ? { ok: true, text: `${json.path} = ${JSON.stringify(at.value)}` }
    : {
        ok: false,
        text: `${json.path} is ${excerpt(JSON.stringify(at.value))}, expected ${JSON.stringify(json.equals)}`,
      };
}

/** Every URL must answer 2xx; one line per URL, failures naming the URL and the reason. */
export function evaluateEndpoints(
  answers: readonly { readonly url: string; readonly answer: HttpAnswer }[],
): CheckOutcome {
  if (answers.length === 0) {
    return {
      status: "inconclusive",
      diagnostics: [
        "no endpoints to check: the check lists no urls and the environment configures no health or metrics URL",
        "list them: { type: endpoints, urls: [http://127.0.0.1:3000/health/ready] }",
      ],
    };
  }
  const lines = answers.map(({ url, answer }) => {
    if (!answer.ok) return { ok: false, text: `GET ${url}: ${answer.error}` };
    const ok = answer.status >= 200 && answer.status <= 299;
    return {
      ok,
      text: ok
        ? `GET ${url}: ${answer.status} in ${answer.latencyMs}ms`
        : `GET ${url}: status ${answer.status}, expected 2xx`,
    };
  });
  const failed = lines.filter((line) => !line.ok);
  const details = {
    endpoints: answers.map(({ url, answer }) =>
      answer.ok
        ? { url, status: answer.status, latencyMs: answer.latencyMs }
        : { url, error: answer.error, latencyMs: answer.latencyMs },
    ),
  };
  if (failed.length === 0) {
    return { status: "pass", diagnostics: lines.map((line) => line.text), details };
  }
  return {
    status: "fail",
    diagnostics: [
      ...failed.map((line) => line.text),
      ...lines.filter((line) => line.ok).map((line) => line.text),
      `${failed.length} of ${lines.length} endpoints did not answer 2xx; ${NOT_ANSWERING_HINT}`,
    ],
    details,
  };
}

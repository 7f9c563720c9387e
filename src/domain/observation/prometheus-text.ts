import { ShipsafeError } from "../errors.js";

/** One sample line of the Prometheus text exposition format. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** May be `Infinity`, `-Infinity` or `NaN`, as the format allows. */
  readonly value: number;
  /** Milliseconds since the epoch, when the line carries a timestamp. */
  readonly timestampMs?: number;
}

export type PrometheusMetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "summary"
  | "untyped"
  | "unknown";

/** A parsed exposition: samples in document order, and the `# TYPE` / `# HELP` metadata. */
export interface PrometheusExposition {
  readonly samples: readonly PrometheusSample[];
  readonly types: Readonly<Record<string, PrometheusMetricType>>;
  readonly help: Readonly<Record<string, string>>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped", "unknown"]);

/**
 * Parses the Prometheus text exposition format (version 0.0.4, plus quoted UTF-8 names) into
 * samples. Throws METRICS_MALFORMED naming the line when a sample line does not parse, as a
 * Prometheus server fails the whole scrape.
 */
export function parsePrometheusText(text: string): PrometheusExposition {
  const samples: PrometheusSample[] = [];
  const types: Record<string, PrometheusMetricType> = {};
  const help: Record<string, string> = {};
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === "") continue;
    try {
      if (trimmed.startsWith("#")) {
        readComment(trimmed, types, help);
      } else {
        samples.push(new LineReader(trimmed).sample());
      }
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw new ShipsafeError({
        code: "METRICS_MALFORMED",
        kind: "runtime",
        message: `metrics line ${index + 1} is not valid Prometheus text format: ${error.message}: ${JSON.stringify(trimmed.slice(0, 200))}`,
        hint: "check that the metrics URL points at a Prometheus /metrics endpoint (text format 0.0.4)",
      });
    }
  }
  return { samples, types, help };
}

function readComment(
  line: string,
  types: Record<string, PrometheusMetricType>,
  help: Record<string, string>,
): void {
  const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (!match) return; // any other comment, e.g. "# EOF" or free text
  const [, keyword, rawName = "", rest = ""] = match;
  const name = rawName.startsWith('"') ? unescapeText(rawName.slice(1, -1)) : rawName;
  if (keyword === "TYPE") {
    const type = rest.trim();
    if (!TYPES.has(type)) throw new SyntaxError(`unknown metric type "${type}"`);
    types[name] = type as PrometheusMetricType;
  } else {
    help[name] = unescapeText(rest);
  }
}

/** HELP text and label values escape `\\`, `\"` and `\n`; any other backslash stays as is. */
function unescapeText(text: string): string {
  return text.replace(/\\(.)/g, (whole, char: string) => {
    if (char === "n") return "\n";
    if (char === "\\" || char === '"') return char;
    return whole;
  });
}

class LineReader {
  private pos = 0;

  constructor(private readonly line: string) {}

  sample(): PrometheusSample {
    const labels: Record<string, string> = {};
    let name: string | undefined;
    if (this.peek() !== "{") name = this.match(METRIC_NAME, "metric name");
    const afterName = this.pos;
    this.skipSpace();
    if (this.peek() === "{") name = this.readLabels(labels, name);
    else this.pos = afterName;
    if (name === undefined) throw new SyntaxError("missing metric name");
    this.requireSpace("value");
    const value = parseValue(this.word("value"));
    let timestampMs: number | undefined;
    if (this.pos < this.line.length) {
      this.requireSpace("timestamp");
      const stamp = this.word("timestamp");
      if (!INTEGER.test(stamp)) throw new SyntaxError(`invalid timestamp "${stamp}"`);
      timestampMs = Number(stamp);
      this.skipSpace();
      if (this.pos < this.line.length) throw new SyntaxError("unexpected text after timestamp");
    }
    return timestampMs === undefined
      ? { name, labels, value }
      : { name, labels, value, timestampMs };
  }

  /** Reads `{a="x",b="y",}`; a leading quoted string without `=` is the metric name. */
  private readLabels(labels: Record<string, string>, name: string | undefined): string | undefined {
    let metricName = name;
    this.pos += 1;
    for (let first = true; ; first = false) {
      this.skipSpace();
      if (this.peek() === "}") break;
      const quoted = this.peek() === '"';
      const key = quoted ? this.quoted() : this.match(LABEL_NAME, "label name");
      this.skipSpace();
      if (this.peek() !== "=") {
        if (!(quoted && first && metricName === undefined)) {
          throw new SyntaxError(`expected "=" after label name "${key}"`);
        }
        metricName = key;
      } else {
        this.pos += 1;
        this.skipSpace();
        if (this.peek() !== '"') throw new SyntaxError(`expected a quoted value for "${key}"`);
        if (Object.hasOwn(labels, key)) throw new SyntaxError(`duplicate label "${key}"`);
        labels[key] = this.quoted();
      }
      this.skipSpace();
      if (this.peek() === ",") {
        this.pos += 1;
        continue;
      }
      if (this.peek() !== "}") throw new SyntaxError('expected "," or "}" in label set');
      break;
    }
    this.pos += 1;
    return metricName;
  }

  private quoted(): string {
    let out = "";
    this.pos += 1;
    while (this.pos < this.line.length) {
      const char = this.line[this.pos] as string;
      if (char === '"') {
        this.pos += 1;
        return unescapeText(out);
      }
      if (char === "\\") {
        out += this.line.slice(this.pos, this.pos + 2);
        this.pos += 2;
      } else {
        out += char;
        this.pos += 1;
      }
    }
    throw new SyntaxError("unterminated quoted string");
  }

  private match(pattern: RegExp, what: string): string {
    const found = pattern.exec(this.line.slice(this.pos));
    if (!found) throw new SyntaxError(`expected ${what}`);
    this.pos += found[0].length;
    return found[0];
  }

  private word(what: string): string {
    const start = this.pos;
    while (this.pos < this.line.length && !isSpace(this.line[this.pos])) this.pos += 1;
    if (this.pos === start) throw new SyntaxError(`missing ${what}`);
    return this.line.slice(start, this.pos);
  }

  private requireSpace(before: string): void {
    if (!isSpace(this.peek())) throw new SyntaxError(`expected whitespace before ${before}`);
    this.skipSpace();
  }

  private skipSpace(): void {
    while (isSpace(this.peek())) this.pos += 1;
  }

  private peek(): string | undefined {
    return this.line[this.pos];
  }
}

function isSpace(char: string | undefined): boolean {
  return char === " " || char === "\t";
}

/** Values are Go floats: decimals, exponents, and `Inf` / `NaN` in any case with optional sign. */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "+inf" || lower === "inf") return Number.POSITIVE_INFINITY;
  if (lower === "-inf") return Number.NEGATIVE_INFINITY;
  if (!DECIMAL.test(text)) throw new SyntaxError(`invalid value "${text}"`);
  return Number(text);
}

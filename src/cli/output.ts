import type { ProblemDetail } from "../domain/errors.js";
import type { JsonValue } from "../domain/model/json.js";
import { type Colors, createColors } from "./colors.js";
import type { CliIo } from "./io.js";

export interface Redactor {
  redactText(text: string): string;
  redactJson<T>(value: T): T;
}

/** What a command hands back for rendering: the JSON document and its human form. */
export interface CommandOutcome {
  /** 0 ok, 1 a check/verification failed. Errors are thrown, not returned. */
  readonly exitCode: 0 | 1;
  readonly json: JsonValue;
  readonly human: string;
  /** The command already wrote its output itself (streamed export): print nothing more. */
  readonly streamed?: boolean;
}

export interface ErrorView {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  readonly location?: string | undefined;
  readonly problems?: readonly ProblemDetail[];
}

/**
 * Everything the CLI prints goes through here, and through the redactor: no secret from an env file
 * reaches the terminal. With `--json` stdout carries exactly one JSON document.
 */
export class Output {
  readonly colors: Colors;
  private redactor: Redactor = { redactText: (t) => t, redactJson: (v) => v };

  constructor(
    private readonly io: CliIo,
    readonly mode: { json: boolean; quiet: boolean; color: boolean },
  ) {
    this.colors = createColors(mode.color);
  }

  /** Installs the redactor once the secrets are known (env file read). */
  useRedactor(redactor: Redactor): void {
    this.redactor = redactor;
  }

  get redact(): Redactor {
    return this.redactor;
  }

  /** Progress and notes for humans: stderr, silenced by --quiet and --json. */
  note(line: string): void {
    if (this.mode.quiet || this.mode.json) return;
    this.clearLive();
    this.io.stderr.write(`${this.redactor.redactText(line)}\n`);
  }

  #live = false;

  /** Whether a live line (progress bar) can be drawn: stderr is a terminal and not silenced. */
  get canDrawLive(): boolean {
    return !this.mode.quiet && !this.mode.json && this.io.stderr.isTTY === true;
  }

  /** Redraws the one live line in place (a terminal only; nothing otherwise). */
  live(line: string): void {
    if (!this.canDrawLive) return;
    this.io.stderr.write(`\r\x1b[K${this.redactor.redactText(line)}`);
    this.#live = true;
  }

  /** Erases the live line, if one is drawn. */
  clearLive(): void {
    if (!this.#live) return;
    this.io.stderr.write("\r\x1b[K");
    this.#live = false;
  }

  outcome(outcome: CommandOutcome): void {
    if (outcome.streamed) return;
    if (this.mode.json) {
      this.io.stdout.write(`${JSON.stringify(this.redactor.redactJson(outcome.json), null, 2)}\n`);
      return;
    }
    if (this.mode.quiet && outcome.exitCode === 0) return;
    if (outcome.human.length > 0) {
      const text = outcome.human.endsWith("\n") ? outcome.human : `${outcome.human}\n`;
      this.io.stdout.write(this.redactor.redactText(text));
    }
  }

  /** Raw document output (schema, export) that must not be pretty-printed twice. */
  raw(text: string): void {
    this.io.stdout.write(this.redactor.redactText(text));
  }

  error(error: ErrorView): void {
    if (this.mode.json) {
      const body: Record<string, unknown> = {
        code: error.code,
        message: error.message,
        hint: error.hint,
      };
      if (error.location) body.location = error.location;
      if (error.problems && error.problems.length > 0) body.problems = error.problems;
      this.io.stdout.write(
        `${JSON.stringify(this.redactor.redactJson({ error: body }), null, 2)}\n`,
      );
      return;
    }
    const c = this.colors;
    const lines = [`${c.red(c.bold(`error[${error.code}]`))}: ${error.message}`];
    const problems = error.problems ?? [];
    if (problems.length > 1) {
      for (const p of problems) {
        lines.push(`  ${p.location} ${p.path}: ${p.message}`);
        if (p.hint) lines.push(`    ${c.dim(`hint: ${p.hint}`)}`);
      }
    }
    lines.push(`${c.yellow("hint:")} ${error.hint}`);
    this.io.stderr.write(`${this.redactor.redactText(lines.join("\n"))}\n`);
  }
}

/**
 * The error catalogue: every user-facing error has a stable code, a kind that decides the exit
 * code, a message naming the actual value, and a hint saying how to fix it.
 */
export type ErrorKind = "usage" | "config" | "runtime" | "refused";

/** Exit codes, documented in docs/cli.md. */
export const ExitCode = {
  ok: 0,
  /** A check, gate, verification or verdict failed. */
  failed: 1,
  usage: 2,
  config: 2,
  runtime: 3,
  refused: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly hint: string;
  /** Where the problem is, e.g. `shipsafe.yaml:4:3` — optional. */
  readonly location?: string;
  /** Further problems reported together with the first (config validation collects them all). */
  readonly problems?: readonly ProblemDetail[];
}

export interface ProblemDetail {
  readonly location: string;
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** An expected failure the user can act on. Bugs stay plain `Error`s. */
export class ShipsafeError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly hint: string;
  readonly location: string | undefined;
  readonly problems: readonly ProblemDetail[];

  constructor(details: ErrorDetails, options?: { cause?: unknown }) {
    super(details.message, options);
    this.name = "ShipsafeError";
    this.code = details.code;
    this.kind = details.kind;
    this.hint = details.hint;
    this.location = details.location;
    this.problems = details.problems ?? [];
  }

  get exitCode(): ExitCodeValue {
    return ExitCode[this.kind];
  }
}

export function isShipsafeError(value: unknown): value is ShipsafeError {
  return value instanceof ShipsafeError;
}

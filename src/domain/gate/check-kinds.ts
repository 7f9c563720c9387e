import type { GateCheckConfig } from "../config/schema.js";

export type CheckType = GateCheckConfig["type"];

export interface CheckKind {
  /** The subsystem a failure points at; undefined: the check's own name (for commands). */
  readonly subsystem: string | undefined;
  /** Used when the check sets no `timeout`. */
  readonly timeout: string;
  /** It talks to the running service (left out by `host verify --skip-endpoints`). */
  readonly needsService: boolean;
  /** One line for docs and `--help`. */
  readonly summary: string;
}

/** Every check kind, in one table: the union of types, defaults and traits derive from it. */
export const CHECK_KINDS = {
  command: {
    subsystem: undefined,
    timeout: "10m",
    needsService: false,
    summary: "a program (argv) exits with the expected code",
  },
  http: {
    subsystem: "health",
    timeout: "10s",
    needsService: true,
    summary: "a URL answers the expected status, body and latency",
  },
  endpoints: {
    subsystem: "health",
    timeout: "10s",
    needsService: true,
    summary: "every listed URL answers 2xx",
  },
  health: {
    subsystem: "health",
    timeout: "30s",
    needsService: true,
    summary: "the running release answers its live and ready probes",
  },
  "backup-age": {
    subsystem: "backup",
    timeout: "10m",
    needsService: false,
    summary: "the newest snapshot is younger than maxAge",
  },
  "snapshot-verify": {
    subsystem: "backup",
    timeout: "30m",
    needsService: false,
    summary: "the rollback snapshot is intact",
  },
  migrations: {
    subsystem: "migrations",
    timeout: "1m",
    needsService: false,
    summary: "the schema is at the migrations' head",
  },
  tools: {
    subsystem: "host",
    timeout: "30s",
    needsService: false,
    summary: "programs are installed, at a minimum version",
  },
  artifact: {
    subsystem: "artifact",
    timeout: "10m",
    needsService: false,
    summary: "the release still matches its checksum",
  },
  "disk-space": {
    subsystem: "host",
    timeout: "1m",
    needsService: false,
    summary: "room for a snapshot of the current state",
  },
  git: {
    subsystem: "source",
    timeout: "30s",
    needsService: false,
    summary: "the working tree is clean and HEAD is tagged",
  },
  "previous-release": {
    subsystem: "rollback",
    timeout: "1m",
    needsService: false,
    summary: "a previous release and its snapshot exist to roll back to",
  },
} as const satisfies Record<CheckType, CheckKind>;

import type { GateCheckConfig } from "../config/schema.js";
import { parseDuration } from "../duration.js";
import { CHECK_KINDS, type CheckType } from "./check-kinds.js";

interface Resolved {
  readonly name: string;
  readonly subsystem: string;
  readonly required: boolean;
  readonly timeoutMs: number;
  readonly after: readonly string[];
}

/** A check as it runs: its config with name, subsystem, timeout and order filled in. */
export type CheckSpec<T extends CheckType = CheckType> = T extends CheckType
  ? Omit<Extract<GateCheckConfig, { type: T }>, keyof Resolved | "timeout"> & {
      readonly type: T;
    } & Resolved
  : never;

/** Fills in a check's defaults from its kind (name = type, the kind's subsystem and timeout). */
export function resolveCheck(config: GateCheckConfig): CheckSpec {
  const kind = CHECK_KINDS[config.type];
  const name = config.name ?? config.type;
  const { timeout, after, subsystem, ...rest } = config;
  return {
    ...rest,
    name,
    subsystem: subsystem ?? kind.subsystem ?? name,
    required: config.required,
    timeoutMs: parseDuration(timeout ?? kind.timeout),
    after: after ?? [],
  } as CheckSpec;
}

import {
  type CheckOutcome,
  crashed,
  interrupted,
  timedOut,
} from "../../domain/gate/check-outcome.js";
import type { CheckSpec } from "../../domain/gate/check-spec.js";
import type { EnvironmentPorts } from "../environment.js";
import type { CheckContext } from "./check-context.js";
import { CHECK_IMPLEMENTATIONS } from "./check-implementations.js";
import type { GateRequest } from "./run-gate.js";

/** A check that ignores its abort signal is abandoned this long after its timeout. */
const ABANDON_AFTER_MS = 2_000;

/** Runs one check within its timeout; a throw or an overrun is an `error` result, never a pass. */
export async function runCheck(
  ports: EnvironmentPorts,
  request: GateRequest,
  spec: CheckSpec,
): Promise<CheckOutcome> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(request.signal?.reason);
  request.signal?.addEventListener("abort", onAbort, { once: true });
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error("timeout"));
  }, spec.timeoutMs);
  let abandon: NodeJS.Timeout | undefined;
  const abandoned = new Promise<"abandoned">((resolve) => {
    controller.signal.addEventListener(
      "abort",
      () => {
        abandon = setTimeout(() => resolve("abandoned"), ABANDON_AFTER_MS);
      },
      { once: true },
    );
  });
  const ctx: CheckContext = {
    ports,
    probes: request.probes,
    version: request.version,
    migrationWaivers: request.migrationWaivers,
    signal: controller.signal,
  };
  const implementation = CHECK_IMPLEMENTATIONS[spec.type] as (
    ctx: CheckContext,
    spec: CheckSpec,
  ) => Promise<CheckOutcome>;
  try {
    const outcome = await Promise.race([implementation(ctx, spec), abandoned]);
    if (request.signal?.aborted) return interrupted();
    if (outcome === "abandoned" || (expired && outcome.status !== "fail")) {
      return timedOut(spec.timeoutMs);
    }
    return outcome;
  } catch (error) {
    if (request.signal?.aborted) return interrupted();
    if (expired) return timedOut(spec.timeoutMs);
    return crashed(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
    clearTimeout(abandon);
    request.signal?.removeEventListener("abort", onAbort);
  }
}

import type { MaintenanceAction, MaintenanceMode } from "../../../ports/maintenance.js";
import { describeFetchError } from "../../health/http/http-health-probe.js";
import { maintenanceFailed } from "../maintenance-errors.js";

export interface MaintenanceCall {
  readonly url: string;
  readonly method: string;
}

/**
 * Maintenance switched by one HTTP call each way (fetch, bounded by the timeout); any 2xx answer is
 * success. The plan shows the URL with its password masked.
 */
export function createHttpMaintenance(options: {
  readonly on: MaintenanceCall;
  readonly off: MaintenanceCall;
  readonly timeoutMs: number;
  readonly userAgent: string;
}): MaintenanceMode {
  const callOf = (action: MaintenanceAction) => (action === "on" ? options.on : options.off);
  const describe = (action: MaintenanceAction): string => {
    const call = callOf(action);
    const url = call.url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s@/?#]+@/i, "$1***@");
    return `${call.method} ${url}`;
  };
  return {
    kind: "http",
    describe,
    async set(action) {
      const call = callOf(action);
      const started = performance.now();
      let response: Response;
      try {
        response = await fetch(call.url, {
          method: call.method,
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: "follow",
          headers: { "user-agent": options.userAgent },
        });
      } catch (error) {
        throw maintenanceFailed(
          action,
          describe(action),
          describeFetchError(error, options.timeoutMs),
          error,
        );
      }
      const body = (await response.text().catch(() => "")).slice(0, 500).trim();
      if (!response.ok) {
        throw maintenanceFailed(
          action,
          describe(action),
          `HTTP ${response.status}${body ? `: ${body}` : ""}`,
        );
      }
      return {
        detail: `HTTP ${response.status} in ${Math.round(performance.now() - started)}ms`,
      };
    },
  };
}

import { type GateSummaryReport, summarizeGateRuns } from "../../domain/gate/gate-summary.js";
import { summaryRunFromRecord } from "../../domain/gate/gate-summary-input.js";
import type { Clock } from "../../ports/clock.js";
import type { Store } from "../../ports/store.js";

export interface GateSummaryRequest {
  readonly service: string;
  readonly env: string;
  /** How many of each gate's newest runs to summarize. */
  readonly limit: number;
}

/** Reads the environment's stored gate runs and summarizes the newest `limit` of each gate. */
export async function gateSummaryReport(
  ports: { readonly store: Pick<Store, "gateRuns">; readonly clock: Clock },
  request: GateSummaryRequest,
): Promise<GateSummaryReport> {
  // Newest first, every gate: the limit applies per gate, so it cannot be pushed into the query.
  const records = await ports.store.gateRuns.list({ env: request.env });
  return summarizeGateRuns(records.map(summaryRunFromRecord), {
    ...request,
    generatedAt: ports.clock.now().toISOString(),
  });
}

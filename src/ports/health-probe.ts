/** One probe of one endpoint. */
export interface ProbeResult {
  readonly name: "live" | "ready";
  readonly url: string;
  readonly ok: boolean;
  readonly status?: number;
  readonly latencyMs: number;
  /** Why it failed: connection refused, timeout, status 503, body did not match ... */
  readonly error?: string;
}

/** Probes the service's health endpoints once (live and ready, whichever are configured). */
export interface HealthProbe {
  probe(): Promise<ProbeResult[]>;
}

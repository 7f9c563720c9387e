/** Types for load.mjs, so TypeScript tests can drive it. */
export interface LoadResult {
  readonly method: "GET" | "POST";
  readonly path: string;
  /** Epoch milliseconds when the request was sent. */
  readonly at: number;
  /** HTTP status, or null when the connection failed or timed out. */
  readonly status: number | null;
  readonly ok: boolean;
  readonly durationMs: number;
  /** Why the connection failed (e.g. ECONNREFUSED, TimeoutError). */
  readonly error?: string;
}

export interface LoadTotals {
  readonly sent: number;
  /** Answered 2xx. */
  readonly ok: number;
  /** Answered non-2xx or not answered at all. */
  readonly failed: number;
  /** The part of `failed` that got no answer. */
  readonly connectionErrors: number;
}

export interface RunningLoad {
  stop(): Promise<LoadTotals>;
}

export function startLoad(options: {
  baseUrl: string;
  rps: number;
  onResult?: (result: LoadResult) => void;
}): RunningLoad;

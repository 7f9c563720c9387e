/**
 * The one progress interface every long-running step reports through; the CLI renders it as a live
 * step list, the server streams it, tests record it.
 */
export type ProgressEvent =
  | { readonly type: "step-started"; readonly step: string; readonly detail?: string }
  | {
      readonly type: "step-finished";
      readonly step: string;
      readonly status: "succeeded" | "failed" | "skipped";
      readonly detail?: string;
    }
  | {
      readonly type: "bytes";
      readonly step: string;
      readonly done: number;
      readonly total?: number;
    }
  | { readonly type: "note"; readonly message: string };

export interface Progress {
  report(event: ProgressEvent): void;
}

export const silentProgress: Progress = { report() {} };

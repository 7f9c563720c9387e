import { formatBytes } from "../domain/bytes.js";

/** What a live progress line shows: a step's bytes so far, of how many, and since when. */
export interface ByteProgress {
  readonly step: string;
  readonly done: number;
  readonly total?: number | undefined;
  /** Milliseconds since the step's first byte report. */
  readonly elapsedMs: number;
}

const BAR_WIDTH = 20;

/** `store db  [#######-------------] 362 MiB / 1.0 GiB  181 MiB/s  ETA 4s` (pure, for tests). */
export function formatProgressLine(p: ByteProgress): string {
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const parts = [p.step];
  if (p.total !== undefined && p.total > 0) {
    const share = Math.min(1, p.done / p.total);
    const filled = Math.round(share * BAR_WIDTH);
    parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`);
    parts.push(`${formatBytes(p.done)} / ${formatBytes(p.total)}`);
  } else {
    parts.push(formatBytes(p.done));
  }
  if (rate > 0) parts.push(`${formatBytes(rate)}/s`);
  if (rate > 0 && p.total !== undefined && p.total > p.done) {
    parts.push(`ETA ${formatEta((p.total - p.done) / rate)}`);
  }
  return parts.join("  ");
}

function formatEta(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

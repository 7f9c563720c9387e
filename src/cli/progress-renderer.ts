import type { Progress, ProgressEvent } from "../ports/progress.js";
import type { Output } from "./output.js";
import { formatProgressLine } from "./progress-line.js";

/** Live bar redraws at most this often. */
const REDRAW_MS = 100;

/**
 * Renders progress events as a live step list on stderr (silent with --json or --quiet); on a
 * terminal, byte counts of a long step draw one bar line with bytes, rate and time left.
 */
export function createProgressRenderer(
  out: Output,
  now: () => number = () => performance.now(),
): Progress & { events: ProgressEvent[] } {
  const c = out.colors;
  const events: ProgressEvent[] = [];
  // Per step: when its bytes started, and when the bar was last drawn.
  const started = new Map<string, number>();
  let drawnAt = Number.NEGATIVE_INFINITY;
  return {
    events,
    report(event) {
      // Bytes events are many: the record keeps none of them, the bar shows the latest.
      if (event.type !== "bytes") events.push(event);
      switch (event.type) {
        case "step-started":
          out.note(`${c.dim("→")} ${event.step}${event.detail ? c.dim(` — ${event.detail}`) : ""}`);
          break;
        case "step-finished": {
          const mark =
            event.status === "succeeded"
              ? c.green("✓")
              : event.status === "failed"
                ? c.red("✗")
                : c.dim("·");
          out.note(`${mark} ${event.step}${event.detail ? c.dim(` ${event.detail}`) : ""}`);
          break;
        }
        case "bytes": {
          if (!out.canDrawLive) break;
          const t = now();
          const t0 = started.get(event.step) ?? t;
          started.set(event.step, t0);
          const finished = event.total !== undefined && event.done >= event.total;
          if (t - drawnAt < REDRAW_MS && !finished) break;
          drawnAt = t;
          out.live(
            `  ${formatProgressLine({ step: event.step, done: event.done, total: event.total, elapsedMs: t - t0 })}`,
          );
          break;
        }
        case "note":
          out.note(`  ${event.message}`);
          break;
      }
    },
  };
}

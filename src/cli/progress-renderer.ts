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
  // Steps reporting bytes while another of them still runs (assets stored at once) share the one
  // bar: their bytes add up, under their names joined. A step's report when none of the group still
  // runs starts a new group.
  const group = new Map<string, { done: number; total: number | undefined }>();
  const running = new Set<string>();
  let groupStartedAt = 0;
  let drawnAt = Number.NEGATIVE_INFINITY;
  return {
    events,
    report(event) {
      // Bytes events are many: the record keeps none of them, the bar shows the latest.
      if (event.type !== "bytes") events.push(event);
      switch (event.type) {
        case "step-started":
          running.add(event.step);
          out.note(`${c.dim("→")} ${event.step}${event.detail ? c.dim(` — ${event.detail}`) : ""}`);
          break;
        case "step-finished": {
          running.delete(event.step);
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
          if (!group.has(event.step) && ![...group.keys()].some((step) => running.has(step))) {
            group.clear();
            groupStartedAt = t;
          }
          group.set(event.step, { done: event.done, total: event.total });
          running.add(event.step);
          let done = 0;
          let total: number | undefined = 0;
          for (const step of group.values()) {
            done += step.done;
            total =
              total === undefined || step.total === undefined ? undefined : total + step.total;
          }
          const finished = total !== undefined && done >= total;
          if (t - drawnAt < REDRAW_MS && !finished) break;
          drawnAt = t;
          const step = [...group.keys()].join(" + ");
          out.live(`  ${formatProgressLine({ step, done, total, elapsedMs: t - groupStartedAt })}`);
          break;
        }
        case "note":
          out.note(`  ${event.message}`);
          break;
      }
    },
  };
}

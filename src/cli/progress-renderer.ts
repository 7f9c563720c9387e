import type { Progress, ProgressEvent } from "../ports/progress.js";
import type { Output } from "./output.js";

/** Renders progress events as a live step list on stderr (silent with --json or --quiet). */
export function createProgressRenderer(out: Output): Progress & { events: ProgressEvent[] } {
  const c = out.colors;
  const events: ProgressEvent[] = [];
  return {
    events,
    report(event) {
      events.push(event);
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
        case "bytes":
          break;
        case "note":
          out.note(`  ${event.message}`);
          break;
      }
    },
  };
}

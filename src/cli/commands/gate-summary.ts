import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { CommandContext } from "../context.js";
import type { Action } from "../define-action.js";
import { withServices } from "../open-services.js";
import { positiveInteger } from "../option-values.js";
import type { CommandOutcome } from "../output.js";

const FORMATS = ["json", "md", "html"] as const;

interface SummaryOptions {
  readonly limit: string;
  readonly format?: string;
  readonly out?: string;
}

/**
 * Registers `gate summary` under the `gate` command. A subcommand wins over the gate-name
 * argument, so `summary` cannot name a gate (the config schema refuses it).
 */
export function registerGateSummaryCommand(gate: Command, action: Action): void {
  gate
    .command("summary")
    .description(
      "pass rates, trend, the checks that fail most and the last failure of each gate, with evidence hashes",
    )
    .option("--limit <n>", "summarize the newest <n> runs of each gate", "20")
    .option("--format <format>", `${FORMATS.join(", ")} (default: md, or json with --json)`)
    .option("--out <dir>", "write gate-summary.<format> into this directory (created if missing)")
    .action(action(async (ctx, options: SummaryOptions) => runGateSummaryCommand(ctx, options)));
}

/** Summarizes the environment's stored gate runs; prints the report or writes it under --out. */
export async function runGateSummaryCommand(
  ctx: CommandContext,
  options: SummaryOptions,
): Promise<CommandOutcome> {
  const limit = positiveInteger(options.limit, "--limit");
  const { GATE_SUMMARY_FORMATS, gateSummaryFileName, isGateSummaryFormat } = await import(
    "../../domain/gate/gate-summary-formats.js"
  );
  const format = options.format ?? (ctx.globals.json ? "json" : "md");
  if (!isGateSummaryFormat(format)) {
    throw new ShipsafeError({
      code: "USAGE",
      kind: "usage",
      message: `--format must be one of ${FORMATS.join(", ")}, got "${format}"`,
      hint: "for example --format html --out reports/",
    });
  }
  const { name } = await ctx.environment();
  const { config } = await ctx.config();
  const stored = await withServices(ctx, { mustExist: true }, async (services) => {
    const { gateSummaryReport } = await import("../../app/gate/gate-summary-report.js");
    return gateSummaryReport(services, { service: config.service, env: name, limit });
  });
  // Stored runs are redacted already; masking again covers secrets of this run's env file, and
  // masking before rendering means an escaped secret cannot slip past the redactor.
  const report = ctx.out.redact.redactJson(stored);
  const json = report as unknown as JsonObject;
  const text = GATE_SUMMARY_FORMATS[format].render(report);
  const runs = report.gates.reduce((sum, g) => sum + g.runs, 0);
  if (options.out === undefined) {
    return { exitCode: 0, json, human: text };
  }
  const dir = resolve(ctx.io.cwd, options.out);
  const file = join(dir, gateSummaryFileName(format));
  await mkdir(dir, { recursive: true });
  // Written beside and renamed, so a reader never sees half a report.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, ctx.out.redact.redactText(text), { mode: 0o644 });
  await rename(partial, file);
  return {
    exitCode: 0,
    json: { ...json, file },
    human: `wrote ${file} (${report.gates.length} gate(s), ${runs} run(s), newest ${limit} per gate)`,
  };
}

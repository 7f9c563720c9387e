import type { Command } from "commander";
import type { GateOutcome } from "../../app/gate/run-gate.js";
import { CHECK_KINDS } from "../../domain/gate/check-kinds.js";
import { BUILT_IN_GATES } from "../../domain/gate/gate-names.js";
import type { CheckStatus } from "../../domain/gate/gate-run.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { Colors } from "../colors.js";
import type { CommandContext } from "../context.js";
import type { Action } from "../define-action.js";
import type { CommandOutcome } from "../output.js";
import { withEnvironment } from "../with-environment.js";
import { registerGateSummaryCommand } from "./gate-summary.js";

/** `--skip a --skip b,c` → [a, b, c]. */
export function collectSkips(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  ];
}

export function registerGateCommand(program: Command, action: Action): Command {
  const gate = program
    .command("gate")
    .description(
      "run a gate: its checks concurrently, a live checklist, evidence in the ledger (exit 1 when it fails)",
    )
    .argument(
      "<name>",
      "release, rollback, restore, host, or a gate named in the config (`gate summary` is the report)",
    )
    .option(
      "--skip <check>",
      "leave out a check by name (repeatable or comma-separated)",
      collectSkips,
      [],
    )
    .option("--release <version>", "the release the gate is for (what artifact checks verify)")
    .addHelpText("after", () => {
      const types = Object.entries(CHECK_KINDS).map(
        ([type, kind]) => `  ${type.padEnd(17)} ${kind.summary}`,
      );
      return `\nBuilt-in gates: ${BUILT_IN_GATES.join(", ")}.\nCheck types:\n${types.join("\n")}\nOptions of each check and the built-in gates: docs/gates.md`;
    })
    .action(
      action(async (ctx, name: string, options: { skip: string[]; release?: string }) =>
        runGateCommand(ctx, name, { skip: options.skip, version: options.release }),
      ),
    );
  registerGateSummaryCommand(gate, action);
  return gate;
}

/** Plans the gate (before taking the lock, so a typo costs nothing), runs it, renders it. */
export async function runGateCommand(
  ctx: CommandContext,
  gate: string,
  options: { skip: readonly string[]; skipService?: boolean; version?: string | undefined },
): Promise<CommandOutcome> {
  const { name } = await ctx.environment();
  const { openGateSetup } = await import("../../composition/checks.js");
  const setup = openGateSetup({ stateDir: ctx.stateDir }, await ctx.config(), name, gate, {
    skip: options.skip,
    ...(options.skipService ? { skipService: true } : {}),
    redact: (value) => ctx.out.redact.redactJson(value),
  });
  return withEnvironment(ctx, { mutating: true }, async (ports) => {
    const { runGate } = await import("../../app/gate/run-gate.js");
    const outcome = await runGate(ports, {
      ...setup,
      version: options.version,
      signal: ctx.abort.signal,
    });
    return {
      exitCode: outcome.run.passed ? 0 : 1,
      json: {
        ...(outcome.run as unknown as JsonObject),
        evidenceHash: outcome.evidenceHash,
        ledgerSeq: outcome.ledgerSeq,
      },
      human: renderGateOutcome(outcome, ctx.out.colors),
    };
  });
}

const MARKS: Record<CheckStatus, string> = {
  pass: "pass",
  warn: "warn",
  inconclusive: "n/a",
  fail: "FAIL",
  error: "ERROR",
};

/** The run as a checklist: one line per check, failures with every diagnostic. */
export function renderGateOutcome(outcome: GateOutcome, c: Colors): string {
  const { run } = outcome;
  const counts = new Map<string, number>();
  for (const check of run.checks) counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
  const tally = [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
  const verdict = run.passed ? c.green("PASSED") : c.red(c.bold("FAILED"));
  const width = Math.max(4, ...run.checks.map((check) => check.name.length));
  const lines = [
    `gate ${run.gate} (${run.env}${run.version ? `, release ${run.version}` : ""}): ${verdict} — ${run.checks.length} checks: ${tally} in ${run.durationMs}ms`,
  ];
  for (const check of run.checks) {
    const bad = check.status === "fail" || check.status === "error";
    const mark = MARKS[check.status].padEnd(5);
    const colored = bad ? c.red(mark) : check.status === "pass" ? c.green(mark) : c.yellow(mark);
    const [first = "", ...rest] = check.diagnostics;
    lines.push(
      `  ${colored} ${check.name.padEnd(width)}  ${c.dim(check.subsystem.padEnd(10))} ${indentMore(first, width + 21)}`,
    );
    if (check.status !== "pass") {
      for (const more of rest)
        lines.push(`${" ".repeat(width + 21)}${indentMore(more, width + 21)}`);
    }
  }
  for (const skipped of run.skipped ?? []) {
    lines.push(`  ${c.dim("skip ")} ${skipped.name.padEnd(width)}  ${c.dim(skipped.reason)}`);
  }
  lines.push(
    c.dim(
      `evidence ${outcome.evidenceHash} (ledger entry #${outcome.ledgerSeq}, gate run ${run.id})`,
    ),
  );
  return lines.join("\n");
}

function indentMore(text: string, indent: number): string {
  return text.replace(/\n/g, `\n${" ".repeat(indent + 2)}`);
}

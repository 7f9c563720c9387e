import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { finished } from "node:stream/promises";
import type { Command } from "commander";
import { ShipsafeError } from "../../domain/errors.js";
import type { LedgerEntry } from "../../domain/model/ledger.js";
import type { Action } from "../define-action.js";
import { withMutation, withServices } from "../open-services.js";
import { positiveInteger } from "../option-values.js";

export function registerAuditCommands(program: Command, action: Action): void {
  const audit = program.command("audit").description("the tamper-evident audit ledger");

  audit
    .command("verify")
    .description(
      "recompute the hash chain and the signed checkpoints; exit 1 naming the first bad seq",
    )
    .action(
      action(async (ctx) =>
        withServices(ctx, { mustExist: true }, async (services) => {
          const { verifyLedger } = await import("../../app/audit/verify-ledger.js");
          const result = await verifyLedger({
            ledger: services.store.ledger,
            signer: services.signer,
            evidence: services.evidence,
          });
          if (result.ok) {
            return {
              exitCode: 0,
              json: result as never,
              human: `ok: ${plural(result.entries, "entry", "entries")} and ${plural(result.checkpoints, "signed checkpoint", "signed checkpoints")} verified (last seq ${result.lastSeq})`,
            };
          }
          return {
            exitCode: 1,
            json: result as never,
            human: `FAILED at seq ${result.firstBadSeq} (${result.reason}): ${result.message}`,
          };
        }),
      ),
    );

  audit
    .command("tail")
    .description("show the newest ledger entries")
    .option("-n, --lines <n>", "how many entries", "20")
    .action(
      action(async (ctx, options: { lines: string }) => {
        const n = positiveInteger(options.lines, "-n");
        return withServices(ctx, { mustExist: true }, async (services) => {
          const entries = await services.store.ledger.tail(n);
          return { exitCode: 0, json: { entries } as never, human: formatEntries(entries) };
        });
      }),
    );

  audit
    .command("export")
    .description(
      "write the ledger as JSON lines (entries, then checkpoints) for shipping elsewhere",
    )
    .option("--format <format>", "export format (only jsonl)", "jsonl")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .action(
      action(async (ctx, options: { format: string; out?: string }) => {
        if (options.format !== "jsonl") {
          throw new ShipsafeError({
            code: "USAGE",
            kind: "usage",
            message: `unknown export format "${options.format}"`,
            hint: "use --format jsonl",
          });
        }
        return withServices(ctx, { mustExist: true }, async (services) => {
          const { exportLedger } = await import("../../app/audit/export-ledger.js");
          let lines = 0;
          if (options.out) {
            const file = resolve(ctx.io.cwd, options.out);
            const stream = createWriteStream(file, { mode: 0o600 });
            for await (const line of exportLedger(services.store.ledger)) {
              if (!stream.write(`${line}\n`))
                await new Promise<void>((r) => stream.once("drain", () => r()));
              lines += 1;
            }
            stream.end();
            await finished(stream);
            return {
              exitCode: 0,
              json: { ok: true, file, lines },
              human: `wrote ${lines} lines to ${file}`,
            };
          }
          for await (const line of exportLedger(services.store.ledger)) {
            ctx.out.raw(`${line}\n`);
            lines += 1;
          }
          return { exitCode: 0, json: null, human: "", streamed: true };
        });
      }),
    );

  audit
    .command("key")
    .description("print the public key that signs ledger checkpoints (for auditors to pin)")
    .action(
      action(async (ctx) =>
        withServices(ctx, { mustExist: false }, async (services) => ({
          exitCode: 0,
          json: { keyId: services.signer.keyId, publicKeyPem: services.signer.publicKeyPem() },
          human: `key id: ${services.signer.keyId}\n${services.signer.publicKeyPem()}`,
        })),
      ),
    );

  audit
    .command("note")
    .description("record an operator note for an environment in the ledger")
    .argument("<message...>", "the note")
    .action(
      action(async (ctx, words: string[]) => {
        const { name } = await ctx.environment();
        const message = words.join(" ");
        return withMutation(ctx, name, async (services) => {
          const entry = await services.record({
            actor: ctx.actor(),
            env: name,
            kind: "operator.note",
            subject: name,
            data: { message },
          });
          return {
            exitCode: 0,
            json: { ok: true, entry } as never,
            human: `recorded note as seq ${entry.seq}`,
          };
        });
      }),
    );
}

function formatEntries(entries: readonly LedgerEntry[]): string {
  if (entries.length === 0) return "the ledger is empty";
  return entries
    .map(
      (e) =>
        `${String(e.seq).padStart(6)}  ${e.at}  ${e.env ?? "-"}  ${e.kind}  ${e.subject}  ${e.actor}${e.evidenceHash ? `  evidence ${e.evidenceHash.slice(0, 12)}` : ""}`,
    )
    .join("\n");
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

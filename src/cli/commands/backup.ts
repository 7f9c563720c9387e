import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { ArchiveVerification } from "../../app/snapshots/verify-archive.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { withServices } from "../open-services.js";
import type { CommandOutcome } from "../output.js";
import { sizeLimits } from "./snapshot.js";

export function registerBackupCommands(program: Command, action: Action): void {
  const backup = program.command("backup").description("portable snapshot archives");

  backup
    .command("verify")
    .description(
      "check an archive without the store: every entry's checksum, the manifest, and its signature or ledger pin (exit 1 naming the entry)",
    )
    .argument("<archive>")
    .option("--max-bytes <n>", "refuse archives holding more data than this (default 64 GiB)")
    .action(
      action(async (ctx, archive: string, options: { maxBytes?: string }) => {
        const file = resolve(ctx.io.cwd, archive);
        const limits = await sizeLimits(options.maxBytes);
        const { verifyArchive } = await import("../../app/snapshots/verify-archive.js");
        const { createTarSnapshotArchives } = await import(
          "../../adapters/archive/tar-snapshot-archives.js"
        );
        const archives = createTarSnapshotArchives();
        const base = { archives, ...(limits ? { limits } : {}) };
        // Keys and ledger come from the state dir when there is one; the archive alone is checked too.
        if (!existsSync(join(ctx.stateDir, "shipsafe.db"))) {
          return outcome(await verifyArchive(base, file));
        }
        return withServices(ctx, { mustExist: true }, async (services) =>
          outcome(
            await verifyArchive(
              {
                ...base,
                signer: services.signer,
                ledger: services.store.ledger,
                evidence: services.evidence,
              },
              file,
            ),
          ),
        );
      }),
    );
}

function outcome(result: ArchiveVerification): CommandOutcome {
  const human = result.ok
    ? `ok: ${result.archive} holds snapshot ${result.snapshotId} (${result.entries} entries, ${result.bytes} bytes), trusted by ${result.trustedBy === "signature" ? `the signature of key ${result.keyId?.slice(0, 16)}` : `the ledger pin at seq ${result.ledgerSeq}`}`
    : [
        `FAILED: ${result.archive}`,
        ...result.problems.map((p) => `  - ${p.entry}: ${p.rule}: ${p.message}`),
      ].join("\n");
  return { exitCode: result.ok ? 0 : 1, json: result as unknown as JsonObject, human };
}

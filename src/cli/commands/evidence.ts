import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { EvidenceBundleVerification } from "../../app/evidence/verify-evidence-bundle.js";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { withServices } from "../open-services.js";
import type { CommandOutcome } from "../output.js";

export function registerEvidenceCommands(program: Command, action: Action): void {
  const evidence = program
    .command("evidence")
    .description("evidence bundles: a signed ledger excerpt with its evidence, checked offline");

  evidence
    .command("bundle")
    .description(
      "write the ledger since a time or release, its evidence and checkpoint, as .tar.gz",
    )
    .requiredOption("--since <time|release>", "ISO-8601 time, a duration back (7d), or a version")
    .requiredOption("-o, --out <file>", "the bundle to write (.tar.gz)")
    .action(
      action(async (ctx, options: { since: string; out: string }) =>
        withServices(ctx, { mustExist: true }, async (services) => {
          const { bundleEvidence } = await import("../../app/evidence/bundle-evidence.js");
          const { openEvidenceBundles } = await import("../../composition/evidence-bundles.js");
          const result = await bundleEvidence(
            {
              ledger: services.store.ledger,
              evidence: services.evidence,
              signer: services.signer,
              clock: services.clock,
              bundles: openEvidenceBundles(),
            },
            {
              since: options.since,
              env: ctx.globals.env ?? null,
              out: resolve(ctx.io.cwd, options.out),
            },
          );
          const human = [
            `wrote ${result.file} (${result.bytes} bytes, sha256 ${result.sha256})`,
            `  ledger entries ${result.fromSeq}..${result.toSeq} (${result.entries}), ${result.evidence} evidence documents, signed checkpoint at seq ${result.toSeq}`,
            ...(result.unsealed > 0
              ? [`  left out ${result.unsealed} newer entries: no checkpoint signs them yet`]
              : []),
            `  check it anywhere with: shipsafe evidence verify ${options.out} --key <public key from shipsafe audit key>`,
          ].join("\n");
          return { exitCode: 0, json: result as unknown as JsonObject, human };
        }),
      ),
    );

  evidence
    .command("verify")
    .description(
      "check a bundle offline: checksums, chain, signatures, evidence (exit 1 naming what failed)",
    )
    .argument("<bundle>")
    .option(
      "--key <file>",
      "the public key (PEM, from shipsafe audit key) the bundle must be signed with",
    )
    .action(
      action(async (ctx, bundle: string, options: { key?: string }) => {
        const pinnedKeyPem = options.key
          ? await readKey(resolve(ctx.io.cwd, options.key))
          : undefined;
        const { verifyEvidenceBundle } = await import(
          "../../app/evidence/verify-evidence-bundle.js"
        );
        const { openEvidenceBundles } = await import("../../composition/evidence-bundles.js");
        const result = await verifyEvidenceBundle(
          { bundles: openEvidenceBundles() },
          resolve(ctx.io.cwd, bundle),
          { pinnedKeyPem },
        );
        return outcome(result);
      }),
    );
}

async function readKey(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    throw new ShipsafeError(
      {
        code: "KEY_FILE_NOT_FOUND",
        kind: "usage",
        message: `cannot read the key file ${file}: ${(cause as NodeJS.ErrnoException).code ?? "unreadable"}`,
        hint: "save the public key printed by shipsafe audit key (the PEM block) to a file and pass it with --key",
      },
      { cause },
    );
  }
}

function outcome(result: EvidenceBundleVerification): CommandOutcome {
  const json = result as unknown as JsonObject;
  if (!result.ok) {
    const lines = result.problems.map((p) => `  - ${p.check}: ${p.subject}: ${p.message}`);
    return { exitCode: 1, json, human: [`FAILED: ${result.bundle}`, ...lines].join("\n") };
  }
  const ledger = result.ledger;
  const human = [
    `ok: ${result.bundle} verified offline`,
    ledger
      ? `  ledger    entries ${ledger.fromSeq}..${ledger.toSeq} (${ledger.entries}); entry ${ledger.fromSeq}'s prevHash ${ledger.firstPrevHash} is taken as given`
      : "",
    `  signed    checkpoint at seq ${ledger?.checkpointSeq} and the manifest, by key ${result.keyId}`,
    result.keyPinned
      ? "  key       the bundled key is the one given with --key"
      : "  key       not pinned: compare the key id with shipsafe audit key on the source, or pass --key",
    `  files     ${result.files} files match the manifest; ${result.evidence} evidence documents match their ledger references`,
    `  sha256    ${result.sha256}`,
  ].filter((line) => line !== "");
  return { exitCode: 0, json, human: human.join("\n") };
}

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { formatDuration } from "../../domain/duration.js";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import type { CommandContext } from "../context.js";
import type { Action } from "../define-action.js";
import { durationFlag, positiveInteger } from "../option-values.js";
import type { CommandOutcome } from "../output.js";
import { withEnvironment } from "../with-environment.js";

export function registerSnapshotCommands(program: Command, action: Action): void {
  const snapshot = program.command("snapshot").description("snapshots of the protected state");

  snapshot
    .command("create")
    .description("snapshot every state asset of the environment")
    .option("--reason <text>", "why (recorded with the snapshot)", "manual")
    .action(
      action(async (ctx, options: { reason: string }) =>
        withEnvironment(ctx, { mutating: true }, async (ports) => {
          const { takeSnapshot } = await import("../../app/snapshots/take-snapshot.js");
          const manifest = await takeSnapshot(ports, options.reason);
          return {
            exitCode: 0,
            json: manifest as unknown as JsonObject,
            human: describe(manifest),
          };
        }),
      ),
    );

  snapshot
    .command("list")
    .description("snapshots of the environment, newest first")
    .action(
      action(async (ctx) =>
        withEnvironment(ctx, { mutating: false }, async (ports) => {
          const list = await ports.snapshots.list({ env: ports.env });
          const now = Date.now();
          const human =
            list.length === 0
              ? `no snapshots of ${ports.env}`
              : list
                  .map(
                    (s) =>
                      `${s.id}  ${formatDuration(now - Date.parse(s.createdAt))} ago  ${s.size} bytes  ${s.reason}`,
                  )
                  .join("\n");
          return { exitCode: 0, json: { snapshots: list as unknown as JsonObject[] }, human };
        }),
      ),
    );

  snapshot
    .command("show")
    .description("a snapshot's manifest")
    .argument("<id>")
    .action(
      action(async (ctx, id: string) =>
        withEnvironment(ctx, { mutating: false }, async (ports) => {
          const manifest = await ports.snapshots.get(id);
          if (!manifest) throw unknownSnapshot(id);
          return {
            exitCode: 0,
            json: manifest as unknown as JsonObject,
            human: describe(manifest),
          };
        }),
      ),
    );

  snapshot
    .command("verify")
    .description("re-hash every file of a snapshot against its manifest (exit 1 on any problem)")
    .argument("<id>")
    .action(
      action(async (ctx, id: string) =>
        withEnvironment(ctx, { mutating: false }, async (ports) => {
          const result = await ports.snapshots.verify(id);
          return {
            exitCode: result.ok ? 0 : 1,
            json: result as unknown as JsonObject,
            human: result.ok
              ? `ok: ${id} verified`
              : [`FAILED: ${id}`, ...result.problems.map((p) => `  - ${p}`)].join("\n"),
          };
        }),
      ),
    );

  snapshot
    .command("export")
    .description(
      "write a snapshot as one portable, signed archive (tar) readable without the store",
    )
    .argument("<id>")
    .requiredOption("-o, --out <file>", "archive file to write (must not exist)")
    .action(
      action(async (ctx, id: string, options: { out: string }) => {
        const file = await newOutputFile(ctx, options.out);
        return withEnvironment(ctx, { mutating: true }, async (ports, services) => {
          const { exportSnapshot } = await import("../../app/snapshots/export-snapshot.js");
          const archives = await tarArchives();
          const result = await exportSnapshot(
            {
              snapshots: ports.snapshots,
              archives,
              signer: services.signer,
              clock: ports.clock,
              record: ports.record,
            },
            id,
            file,
            services.stateDir,
          );
          return {
            exitCode: 0,
            json: result as unknown as JsonObject,
            human: `exported ${result.snapshotId} to ${result.file} (${result.bytes} bytes, sha256 ${result.sha256}, signed by key ${result.keyId.slice(0, 16)})`,
          };
        });
      }),
    );

  snapshot
    .command("import")
    .description(
      "check an archive in a private staging directory, then add its snapshot to the store",
    )
    .argument("<archive>")
    .option("--max-bytes <n>", "refuse archives holding more data than this (default 64 GiB)")
    .action(
      action(async (ctx, archive: string, options: { maxBytes?: string }) => {
        const file = resolve(ctx.io.cwd, archive);
        const limits = await sizeLimits(options.maxBytes);
        return withEnvironment(ctx, { mutating: true }, async (ports, services) => {
          const { importSnapshot } = await import("../../app/snapshots/import-snapshot.js");
          const result = await importSnapshot(
            {
              snapshots: ports.snapshots,
              archives: await tarArchives(),
              record: ports.record,
              signer: services.signer,
              ledger: services.store.ledger,
              evidence: services.evidence,
              stagingParent: services.stateDir,
              ...(limits ? { limits } : {}),
            },
            file,
          );
          return {
            exitCode: 0,
            json: result as unknown as JsonObject,
            human: `imported ${result.manifest.id} (trusted by ${result.trustedBy})\n${describe(result.manifest)}`,
          };
        });
      }),
    );

  snapshot
    .command("prune")
    .description("remove snapshots no keep rule covers, then free the data nothing uses")
    .option("--keep-last <n>", "keep the newest N snapshots")
    .option("--keep-within <duration>", "keep snapshots younger than this (e.g. 30d is 720h)")
    .option("--keep-releases", "keep snapshots taken by release prepare")
    .option("--dry-run", "show what would be removed and change nothing")
    .action(
      action(
        async (
          ctx,
          options: {
            keepLast?: string;
            keepWithin?: string;
            keepReleases?: boolean;
            dryRun?: boolean;
          },
        ) => {
          const policy = {
            ...(options.keepLast !== undefined
              ? { keepLast: positiveInteger(options.keepLast, "--keep-last") }
              : {}),
            ...(options.keepWithin !== undefined
              ? { keepWithinMs: durationFlag(options.keepWithin, "--keep-within") }
              : {}),
            ...(options.keepReleases ? { keepReleases: true } : {}),
          };
          return withEnvironment(ctx, { mutating: options.dryRun !== true }, async (ports) => {
            const { pruneSnapshots } = await import("../../app/snapshots/prune-snapshots.js");
            const result = await pruneSnapshots(ports, { policy, dryRun: options.dryRun === true });
            const lines = result.decisions.map(
              (d) => `${d.keep ? "keep  " : "remove"} ${d.id}  ${d.reasons.join("; ")}`,
            );
            lines.push(
              result.dryRun
                ? `dry run: ${result.decisions.filter((d) => !d.keep).length} would be removed; nothing changed`
                : `removed ${result.removed.length} snapshots, freed ${result.bytesFreed} bytes`,
            );
            return { exitCode: 0, json: result as unknown as JsonObject, human: lines.join("\n") };
          });
        },
      ),
    );

  snapshot
    .command("restore")
    .description(
      "restore a snapshot over the live state (a rollback to snapshot:<id>; needs --execute)",
    )
    .argument("<id>")
    .option("--execute", "really restore (also needs SHIPSAFE_RESTORE_GUARD=<env>)")
    .option("--timeout <duration>", "bound for the whole restore", "5m")
    .action(
      action(async (ctx, id: string, options: { execute?: boolean; timeout: string }) =>
        restoreLive(ctx, id, options),
      ),
    );
}

/** Restoring over the live target: a Type 3 rollback to the snapshot, behind an explicit guard. */
export async function restoreLive(
  ctx: CommandContext,
  id: string,
  options: { execute?: boolean; timeout: string },
): Promise<CommandOutcome> {
  const { name } = await ctx.environment();
  if (options.execute && ctx.io.env.SHIPSAFE_RESTORE_GUARD !== name) {
    throw new ShipsafeError({
      code: "RESTORE_GUARD",
      kind: "refused",
      message: `restoring over the live ${name} state needs SHIPSAFE_RESTORE_GUARD=${name} in the environment`,
      hint: `run a sandbox drill first (shipsafe restore drill ${id}); then SHIPSAFE_RESTORE_GUARD=${name} shipsafe ... --execute`,
    });
  }
  const { durationFlag } = await import("../option-values.js");
  const timeoutMs = durationFlag(options.timeout, "--timeout");
  const { renderPlan } = await import("../render-plan.js");
  return withEnvironment(ctx, { mutating: options.execute === true }, async (ports) => {
    const { rollback } = await import("../../app/rollback/rollback.js");
    const result = await rollback(ports, {
      to: `snapshot:${id}`,
      restoreState: true,
      dryRun: options.execute !== true,
      // --execute with the environment guard is the consent.
      acceptDataLoss: true,
      emergency: false,
      resume: false,
      timeoutMs,
      reason: `restore of snapshot ${id}`,
    });
    const note = options.execute
      ? ""
      : `\nnothing changed: add --execute (with SHIPSAFE_RESTORE_GUARD=${name}) to run it`;
    return {
      exitCode: result.status === "failed" ? 1 : 0,
      json: result as unknown as JsonObject,
      human: `${renderPlan(result.plan)}\n\n${result.status}: ${result.message}${note}`,
    };
  });
}

async function tarArchives() {
  const { createTarSnapshotArchives } = await import(
    "../../adapters/archive/tar-snapshot-archives.js"
  );
  return createTarSnapshotArchives();
}

/** `--max-bytes` as archive limits (total and per file). */
export async function sizeLimits(
  maxBytes: string | undefined,
): Promise<{ maxTotalBytes: number; maxFileBytes: number } | undefined> {
  if (maxBytes === undefined) return undefined;
  const { positiveInteger } = await import("../option-values.js");
  const n = positiveInteger(maxBytes, "--max-bytes");
  return { maxTotalBytes: n, maxFileBytes: n };
}

/** The absolute path of an archive to write; refuses to replace an existing file. */
async function newOutputFile(ctx: CommandContext, out: string): Promise<string> {
  const file = resolve(ctx.io.cwd, out);
  if (existsSync(file)) {
    throw new ShipsafeError({
      code: "ARCHIVE_EXISTS",
      kind: "usage",
      message: `${file} already exists`,
      hint: "choose another --out path, or remove the old archive first",
    });
  }
  return file;
}

function unknownSnapshot(id: string): ShipsafeError {
  return new ShipsafeError({
    code: "SNAPSHOT_UNKNOWN",
    kind: "usage",
    message: `no snapshot "${id}"`,
    hint: "list them with: shipsafe snapshot list",
  });
}

function describe(m: SnapshotManifest): string {
  const lines = [
    `snapshot ${m.id} of ${m.env} (${m.reason}) taken ${m.createdAt}, ${m.size} bytes`,
  ];
  for (const a of m.assets) {
    lines.push(`  ${a.name} (${a.kind}) ${a.source}: ${a.files.length} files, ${a.size} bytes`);
    const tables = (a.details as { tables?: Record<string, number> }).tables;
    if (tables) {
      lines.push(
        `    ${Object.entries(tables)
          .map(([t, n]) => `${t}=${n}`)
          .join(" ")}`,
      );
    }
  }
  return lines.join("\n");
}

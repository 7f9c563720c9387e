import { resolve } from "node:path";
import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { durationFlag } from "../option-values.js";
import { withEnvironment } from "../with-environment.js";

export function registerReleaseCommands(program: Command, action: Action): void {
  const release = program.command("release").description("releases stored on the target");

  release
    .command("add")
    .description("store an immutable, checksummed copy of a directory or .tar.gz as <version>")
    .argument("<version>", "the version name, e.g. 1.4.2")
    .requiredOption("--from <path>", "a directory or a .tar.gz archive")
    .action(
      action(async (ctx, version: string, options: { from: string }) =>
        withEnvironment(ctx, { mutating: true }, async (ports) => {
          const { saveReleaseRecord } = await import("../../app/release/release-records.js");
          const info = await ports.target.addRelease(
            version,
            resolve(ctx.io.cwd, options.from),
            ports.progress,
          );
          await saveReleaseRecord(ports, version, "added", {
            release: info as unknown as JsonObject,
          });
          await ports.record({
            kind: "release.added",
            subject: version,
            data: {
              checksum: info.checksum,
              files: info.files,
              bytes: info.bytes,
              gitCommit: info.gitCommit ?? null,
            },
          });
          return {
            exitCode: 0,
            json: { ok: true, release: info as unknown as JsonObject },
            human: `stored ${version}: ${info.files} files, ${info.bytes} bytes, checksum ${info.checksum.slice(0, 16)}…${info.gitCommit ? `, git ${info.gitCommit.slice(0, 12)}` : ""}\n  at ${info.path}`,
          };
        }),
      ),
    );

  release
    .command("list")
    .description("the releases on the target, their status, and which one is current")
    .action(
      action(async (ctx) =>
        withEnvironment(ctx, { mutating: false }, async (ports) => {
          const releases = await ports.target.releases();
          const current = (await ports.target.current()) ?? null;
          const status = await ports.target.status();
          const records = await ports.store.releases.list({ env: ports.env });
          const rows = releases.map((r) => ({
            ...r,
            current: r.version === current,
            status: records.find((rec) => rec.version === r.version)?.status ?? "added",
          }));
          const human = [
            `${ports.env}: current ${current ?? "none"} (${status.running ? `running, pid ${status.pid}` : "not running"})`,
            ...rows.map(
              (r) =>
                `${r.current ? "*" : " "} ${String(r.version).padEnd(12)} ${String(r.status).padEnd(12)} added ${r.addedAt}`,
            ),
          ].join("\n");
          return {
            exitCode: 0,
            json: {
              env: ports.env,
              current,
              running: status.running,
              releases: rows as unknown as JsonObject[],
            },
            human,
          };
        }),
      ),
    );

  release
    .command("prepare")
    .description("run the release gate, snapshot the state, and write the release manifest")
    .argument("<version>", "a version added with release add")
    .option(
      "--max-backup-age <duration>",
      "the newest snapshot must be younger than this (default: the gate's backup-age maxAge, 24h built in)",
    )
    .action(
      action(async (ctx, version: string, options: { maxBackupAge?: string }) => {
        const maxBackupAgeMs =
          options.maxBackupAge === undefined
            ? undefined
            : durationFlag(options.maxBackupAge, "--max-backup-age");
        return withEnvironment(ctx, { mutating: true }, async (ports, services) => {
          const { prepareRelease } = await import("../../app/release/prepare-release.js");
          const { openGateSetup } = await import("../../composition/checks.js");
          const gate = openGateSetup(services, await ctx.config(), ports.env, "release", {
            redact: (value) => ctx.out.redact.redactJson(value),
          });
          const prepared = await prepareRelease(ports, {
            version,
            gate,
            maxBackupAgeMs,
            signal: ctx.abort.signal,
          });
          const checks = prepared.gate.checks.map(
            (c) => `  ${c.status.padEnd(5)} ${c.name}: ${c.diagnostics.join("; ")}`,
          );
          const human = prepared.manifest
            ? [
                `release gate passed for ${version}`,
                ...checks,
                `snapshot: ${prepared.snapshot?.id ?? "none (no state assets)"}`,
                `manifest recorded for ${version}`,
              ].join("\n")
            : [
                `release gate FAILED for ${version}: nothing was snapshotted or recorded as prepared`,
                ...checks,
              ].join("\n");
          return {
            exitCode: prepared.gate.passed ? 0 : 1,
            json: prepared as unknown as JsonObject,
            human,
          };
        });
      }),
    );
}

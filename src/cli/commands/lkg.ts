import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import type { TagLkgResult } from "../../app/lkg/last-known-good-tag.js";
import type { LkgSelection } from "../../domain/lkg/last-known-good.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import type { CommandOutcome } from "../output.js";
import { withEnvironment } from "../with-environment.js";

interface LkgOptions {
  fromGit?: boolean;
  repo?: string;
}

export function registerLkgCommand(program: Command, action: Action): void {
  program
    .command("lkg")
    .description(
      "the last known good release: gates passed and observed healthy (exit 1 when there is none)",
    )
    .option("--from-git", "the newest git tag (semver) whose commit passed the release gate")
    .option("--repo <dir>", "the git repository for --from-git (default: the config's directory)")
    .action(
      action(async (ctx, options: LkgOptions) => {
        const { env } = await ctx.environment();
        return withEnvironment(ctx, { mutating: false }, async (ports, services) => {
          if (!options.fromGit) {
            const { lastKnownGood } = await import("../../app/lkg/last-known-good.js");
            return releaseOutcome(ports.env, await lastKnownGood(ports));
          }
          const { lastKnownGoodTag } = await import("../../app/lkg/last-known-good-tag.js");
          const { DEFAULT_TAG_PATTERNS } = await import("../../domain/lkg/tag-selection.js");
          const { openGitTagSource } = await import("../../composition/git-tags.js");
          const result = await lastKnownGoodTag(
            {
              env: ports.env,
              store: ports.store,
              evidence: services.evidence,
              tags: openGitTagSource(),
            },
            {
              repo: options.repo ? resolve(ctx.io.cwd, options.repo) : dirname(ctx.configPath),
              patterns: env.lkg?.tagPatterns ?? DEFAULT_TAG_PATTERNS,
            },
          );
          return tagOutcome(ports.env, result);
        });
      }),
    );
}

function releaseOutcome(env: string, selection: LkgSelection): CommandOutcome {
  const lines = selection.candidates.map(
    (c) =>
      `  ${c.good ? "good" : "    "}  ${c.version.padEnd(12)} ${c.status.padEnd(11)} ${c.good ? `deployed ${c.deployedAt}` : c.reasons.join("; ")}`,
  );
  const head = selection.lkg
    ? `last known good in ${env}: ${selection.lkg.version} (release gate run ${selection.lkg.gateRuns.release?.id}, observed healthy)`
    : `no last known good release in ${env}: a release needs a passing release gate (shipsafe release prepare) and a deploy observed healthy`;
  return {
    exitCode: selection.lkg ? 0 : 1,
    json: { env, ...selection } as unknown as JsonObject,
    human: [head, ...lines].join("\n"),
  };
}

function tagOutcome(env: string, result: TagLkgResult): CommandOutcome {
  const lines = result.candidates.map(
    (c) =>
      `  ${c.good ? "good" : "    "}  ${c.tag.padEnd(16)} ${c.commit.slice(0, 12)}  ${c.good ? `release gate run ${c.gateRunId}` : c.reason}`,
  );
  const head = result.lkg
    ? `last known good tag in ${env}: ${result.lkg.tag} (commit ${result.lkg.commit.slice(0, 12)}, release gate run ${result.lkg.gateRunId})`
    : `no tag of ${result.repo} matching ${result.patterns.join(", ")} has a passing release gate run in ${env}: run shipsafe gate release on a tagged commit`;
  return {
    exitCode: result.lkg ? 0 : 1,
    json: { env, ...result } as unknown as JsonObject,
    human: [head, ...lines].join("\n"),
  };
}

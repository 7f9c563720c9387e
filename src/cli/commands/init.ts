import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Command } from "commander";
import { ShipsafeError } from "../../domain/errors.js";
import type { Action } from "../define-action.js";

export function registerInitCommand(program: Command, action: Action): void {
  program
    .command("init")
    .description("write a commented shipsafe.yaml for the project in the current directory")
    .option("--force", "overwrite an existing config file")
    .action(
      action(async (ctx, options: { force?: boolean }) => {
        const file = ctx.configPath;
        if (existsSync(file) && !options.force) {
          throw new ShipsafeError({
            code: "CONFIG_EXISTS",
            kind: "refused",
            message: `${file} already exists`,
            hint: 'keep it and run "shipsafe config check", or pass --force to overwrite it',
          });
        }
        const { detectProject } = await import("../../adapters/project-files/detect-project.js");
        const { renderInitConfig } = await import("../../domain/config/render-init-config.js");
        const facts = await detectProject(dirname(file));
        const text = renderInitConfig(facts);
        await writeFile(file, text, { encoding: "utf8", flag: options.force ? "w" : "wx" });
        return {
          exitCode: 0,
          json: { ok: true, file, detected: facts as never },
          human: [
            `wrote ${basename(file)} for service "${facts.service}"`,
            ...describeFacts(facts),
            'next: edit it, then run "shipsafe config check"',
          ].join("\n"),
        };
      }),
    );
}

function describeFacts(facts: {
  sqliteFiles: readonly string[];
  migrationsDir?: string | undefined;
}): string[] {
  const lines: string[] = [];
  for (const db of facts.sqliteFiles) lines.push(`  state: sqlite database ${db}`);
  if (facts.migrationsDir) lines.push(`  migrations: ${facts.migrationsDir}`);
  return lines;
}

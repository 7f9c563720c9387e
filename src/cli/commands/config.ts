import type { Command } from "commander";
import { stringify } from "yaml";
import type { Action } from "../define-action.js";

export function registerConfigCommands(program: Command, action: Action): void {
  const config = program.command("config").description("validate and inspect shipsafe.yaml");

  config
    .command("check")
    .description("validate the config (and the env file) and report every problem at once")
    .action(
      action(async (ctx) => {
        const loaded = await ctx.config();
        const environments = Object.keys(loaded.config.environments);
        return {
          exitCode: 0,
          json: { ok: true, file: loaded.file, service: loaded.config.service, environments },
          human: `ok: ${ctx.displayPath} is valid (service ${loaded.config.service}; environments: ${environments.join(", ")})`,
        };
      }),
    );

  config
    .command("show")
    .description("print the resolved config with every secret replaced by ***")
    .action(
      action(async (ctx) => {
        const loaded = await ctx.config();
        const { redactConfig } = await import("../../domain/config/redact-config.js");
        const redacted = redactConfig(loaded) as Record<string, unknown>;
        let document = redacted;
        if (ctx.globals.env !== undefined) {
          const { name } = await ctx.environment();
          const environments = redacted.environments as Record<string, unknown>;
          document = { ...redacted, environments: { [name]: environments[name] } };
        }
        return { exitCode: 0, json: document as never, human: stringify(document) };
      }),
    );

  config
    .command("schema")
    .description("print the JSON Schema of shipsafe.yaml (for editors and CI validation)")
    .action(
      action(async () => {
        const { configJsonSchema } = await import("../../domain/config/json-schema.js");
        const schema = configJsonSchema();
        // The schema is JSON in both modes: it is meant for tools.
        return {
          exitCode: 0,
          json: schema as never,
          human: JSON.stringify(schema, null, 2),
        };
      }),
    );
}

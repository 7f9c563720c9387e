import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load-config-text.js";

const vars = { processEnv: { DATABASE_URL: "postgres://db/shop", DB_PASSWORD: "pw" }, envFile: {} };

/** A config whose production environment has `block` (YAML at environment level) added. */
function withEnvironmentBlock(block: string): string {
  const indented = block
    .trimEnd()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
${indented}
`;
}

const load = (block: string) =>
  loadConfigText(withEnvironmentBlock(block), "shipsafe.yaml", vars).config.environments.production;

async function examples(doc: string): Promise<string[]> {
  const text = await readFile(resolve(import.meta.dirname, "../../../docs", doc), "utf8");
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] as string)
    .filter((block) => /^(migrations|state):/m.test(block));
}

describe("migrations config", () => {
  it("accepts every YAML example of docs/migrations.md and docs/config.md#migrations", async () => {
    const blocks = [...(await examples("migrations.md")), ...(await examples("config.md"))].filter(
      (b) => b.includes("migrations:"),
    );
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(load(block)?.migrations, block).toBeDefined();
  });

  it("fills the command source's defaults", () => {
    expect(
      load("migrations: { kind: command, up: [t, up], down: [t, down], status: [t, status] }")
        ?.migrations,
    ).toEqual({
      kind: "command",
      up: ["t", "up"],
      down: ["t", "down"],
      status: ["t", "status"],
      statusFormat: "json",
      appliedState: "applied",
      cwd: ".",
      timeout: "10m",
    });
  });

  it.each([
    [
      "migrations: { kind: command, up: [t], down: [t], status: [t], statusFormat: text }",
      /statusFormat: text needs a statusPattern/,
    ],
    [
      'migrations: { kind: command, up: [t], down: [t], status: [t], statusFormat: text, statusPattern: "^(?<id>\\\\w+)$" }',
      /expected a named group \(\?<state>/,
    ],
    [
      'migrations: { kind: command, up: [t], down: [t], status: [t], statusPattern: "(" }',
      /not a valid regular expression/,
    ],
    [
      "migrations: { kind: sql-dir, dir: m, waivers: [{ migration: 0001_a, by: ana, reason: why, at: yesterday }] }",
      /expected the date the waiver was given/,
    ],
  ])("refuses %s", (block, message) => {
    let error: unknown;
    try {
      load(block);
    } catch (e) {
      error = e;
    }
    const problems = (error as { problems?: { message: string }[] })?.problems ?? [];
    expect(problems.map((p) => p.message).join("\n")).toMatch(message);
  });
});

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load-config-text.js";

const DOC = resolve(import.meta.dirname, "../../../docs/gates.md");

/** Every YAML example of docs/gates.md, as a config: so the documented syntax cannot go stale. */
async function examples(): Promise<string[]> {
  const text = await readFile(DOC, "utf8");
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

function asConfig(example: string): string {
  const head = "version: 1\nservice: shop\n";
  const target = "    target: { kind: local, root: ./deploy, start: [node, server.js] }\n";
  if (example.startsWith("environments:")) {
    return head + example.replace("  production:\n", `  production:\n${target}`);
  }
  const indented = example
    .trimEnd()
    .split("\n")
    .map((line) => `          ${line}`)
    .join("\n");
  return `${head}environments:\n  production:\n${target}    gates:\n      docs:\n        checks:\n${indented}\n`;
}

describe("docs/gates.md", () => {
  it("has YAML examples that all pass config validation", async () => {
    const blocks = await examples();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      const loaded = loadConfigText(asConfig(block), "gates.md", { processEnv: {}, envFile: {} });
      const gates = loaded.config.environments.production?.gates ?? {};
      expect(Object.keys(gates).length, block).toBeGreaterThan(0);
    }
  });
});

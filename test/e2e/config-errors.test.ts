import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const VALID = `version: 1
service: shop
environments:
  production:
    target:
      kind: local
      root: ./target
      start: [node, server.js]
    health:
      ready: http://127.0.0.1:8080/health/ready
      timeout: 5s
`;

describe("init and config check (built CLI)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it("init in an empty directory writes a config that passes config check", async () => {
    const init = await shipsafe(["init"], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const text = await readFile(join(dir, "shipsafe.yaml"), "utf8");
    expect(text).toMatch(/^#/m); // commented
    const check = await shipsafe(["config", "check"], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/is valid/);
  });

  it("init refuses to overwrite an existing config (exit 4) unless --force", async () => {
    await writeFile(join(dir, "shipsafe.yaml"), VALID);
    const again = await shipsafe(["init"], { cwd: dir });
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/error\[CONFIG_EXISTS\]/);
    expect(await readFile(join(dir, "shipsafe.yaml"), "utf8")).toBe(VALID);
    const forced = await shipsafe(["init", "--force"], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
  });

  it("a typo'd key exits 2 with file:line:column, the key path and a suggestion", async () => {
    await writeFile(join(dir, "shipsafe.yaml"), VALID.replace("    health:", "    helth:"));
    const run = await shipsafe(["config", "check"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error\[CONFIG_INVALID\]/);
    expect(run.stderr).toMatch(/shipsafe\.yaml:9:5/);
    expect(run.stderr).toMatch(/environments\.production/);
    expect(run.stderr).toMatch(/hint:.*health/);
  });

  it("a wrong type exits 2 naming where and what was expected", async () => {
    await writeFile(join(dir, "shipsafe.yaml"), VALID.replace("timeout: 5s", "timeout: [5]"));
    const run = await shipsafe(["config", "check"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/shipsafe\.yaml:11:16/);
    expect(run.stderr).toMatch(/environments\.production\.health\.timeout/);
    expect(run.stderr).toMatch(/hint:/);
  });

  it("a missing ${VAR} exits 2 naming the variable, its place and how to set it", async () => {
    await writeFile(
      join(dir, "shipsafe.yaml"),
      VALID.replace("start: [node, server.js]", 'start: [node, "${APP_ENTRY}"]'),
    );
    const unset = await shipsafe(["config", "check"], { cwd: dir });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/shipsafe\.yaml:8:\d+/);
    expect(unset.stderr).toMatch(/APP_ENTRY/);
    expect(unset.stderr).toMatch(/hint:.*env/);
    const set = await shipsafe(["config", "check"], { cwd: dir, env: { APP_ENTRY: "server.js" } });
    expect(set.code, set.stderr).toBe(0);
  });

  it("--json errors are one JSON document with code, message and hint", async () => {
    await writeFile(join(dir, "shipsafe.yaml"), VALID.replace("service: shop", "service: 12"));
    const run = await shipsafe(["config", "check", "--json"], { cwd: dir });
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout) as {
      error: { code: string; message: string; hint: string };
    };
    expect(doc.error.code).toBe("CONFIG_INVALID");
    expect(doc.error.message).toMatch(/shipsafe\.yaml:2:10/);
    expect(doc.error.hint.length).toBeGreaterThan(0);
  });

  it("a missing config file is a config error that points to init", async () => {
    const run = await shipsafe(["config", "check"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error\[CONFIG_NOT_FOUND\]/);
    expect(run.stderr).toMatch(/shipsafe init/);
  });

  it("usage errors exit 2 in the documented format", async () => {
    const run = await shipsafe(["config", "frobnicate"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error\[USAGE\]: /m);
    expect(run.stderr).toMatch(/^hint: /m);
    const json = await shipsafe(["--json", "audit", "tail", "-n", "zero"], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe("USAGE");
  });

  it("config schema prints a JSON Schema that forbids unknown keys", async () => {
    const run = await shipsafe(["config", "schema"], { cwd: dir });
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as { additionalProperties?: boolean; properties: object };
    expect(schema.properties).toHaveProperty("environments");
    expect(schema.additionalProperties).toBe(false);
  });
});

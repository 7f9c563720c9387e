import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfigFile } from "./read-config-file.js";

let dir: string;
const CONFIG = `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./target, start: [node, server.js] }
    state:
      - { name: main, kind: postgres, url: "\${DATABASE_URL}" }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-config-"));
  await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
  await writeFile(join(dir, ".env.prod"), "# prod\nDATABASE_URL=postgres://app:s3cret-pw@db/app\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readConfigFile", () => {
  it("reads the config with values from the env file", async () => {
    const loaded = await readConfigFile(join(dir, "shipsafe.yaml"), join(dir, ".env.prod"), {});
    expect(loaded.config.environments.production?.state[0]).toMatchObject({
      url: "postgres://app:s3cret-pw@db/app",
    });
    expect(loaded.secretPaths).toEqual(["environments.production.state[0].url"]);
    expect(loaded.secretValues).toContain("s3cret-pw");
  });

  it("falls back to the process environment", async () => {
    const loaded = await readConfigFile(join(dir, "shipsafe.yaml"), undefined, {
      DATABASE_URL: "postgres://db/app",
    });
    expect(loaded.secretPaths).toEqual([]);
  });

  it("reports a missing config file with a hint to run init", async () => {
    await expect(readConfigFile(join(dir, "nope.yaml"), undefined, {})).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      kind: "config",
      hint: expect.stringContaining('run "shipsafe init"'),
    });
  });

  it("reports a missing env file", async () => {
    await expect(
      readConfigFile(join(dir, "shipsafe.yaml"), join(dir, ".env.missing"), {}),
    ).rejects.toMatchObject({ code: "ENV_FILE_NOT_FOUND", kind: "config" });
  });

  it("reports a missing variable without leaking env-file values", async () => {
    await writeFile(join(dir, ".env.other"), "OTHER=very-secret-value\n");
    const error = await readConfigFile(
      join(dir, "shipsafe.yaml"),
      join(dir, ".env.other"),
      {},
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    expect(JSON.stringify(error)).not.toContain("very-secret-value");
    expect((error as Error).message).toContain("missing variable ${DATABASE_URL}");
  });
});

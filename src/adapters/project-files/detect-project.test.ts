import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigText } from "../../domain/config/load-config-text.js";
import { renderInitConfig } from "../../domain/config/render-init-config.js";
import { detectProject } from "./detect-project.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-project-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("detectProject", () => {
  it("finds package.json facts, sqlite files, migrations and data dirs", async () => {
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({
        name: "@acme/shop",
        scripts: { start: "node .", test: "vitest", lint: "x" },
      }),
    );
    for (const sub of ["data", "db/migrations", "node_modules/pkg", "uploads", "a/b"]) {
      await mkdir(join(dir, sub), { recursive: true });
    }
    for (const file of [
      "app.db",
      "data/main.sqlite",
      "data/notes.txt",
      "node_modules/x.db",
      "a/b/deep.db",
    ]) {
      await writeFile(join(dir, file), "");
    }
    const facts = await detectProject(dir);
    expect(facts).toEqual({
      service: "shop",
      packageName: "@acme/shop",
      scripts: { start: "node .", test: "vitest" },
      sqliteFiles: ["app.db", "data/main.sqlite"],
      migrationsDir: "db/migrations",
      dataDirs: ["uploads"],
    });
    const loaded = loadConfigText(renderInitConfig(facts), "shipsafe.yaml", {
      processEnv: {},
      envFile: {},
    });
    expect(loaded.config.environments.production?.state).toHaveLength(3);
  });

  it("works in an empty directory", async () => {
    const facts = await detectProject(dir);
    expect(facts).toEqual({
      service: basename(dir),
      packageName: undefined,
      scripts: {},
      sqliteFiles: [],
      migrationsDir: undefined,
      dataDirs: [],
    });
  });

  it("tolerates an unparsable package.json", async () => {
    await writeFile(join(dir, "package.json"), "{ not json");
    expect((await detectProject(dir)).packageName).toBeUndefined();
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load-config-text.js";
import type { ProjectFacts } from "./project-facts.js";
import { renderInitConfig } from "./render-init-config.js";

const bare: ProjectFacts = {
  service: "shop",
  packageName: undefined,
  scripts: {},
  sqliteFiles: [],
  migrationsDir: undefined,
  dataDirs: [],
};

function load(facts: ProjectFacts) {
  return loadConfigText(renderInitConfig(facts), "shipsafe.yaml", { processEnv: {}, envFile: {} });
}

describe("renderInitConfig", () => {
  it("writes a valid, commented config for a bare directory", () => {
    const text = renderInitConfig(bare);
    expect(text).toContain("# Gates: named lists of checks");
    const env = load(bare).config.environments.production;
    expect(env?.target).toMatchObject({ kind: "local", start: ["node", "server.js"] });
    expect(env?.state).toEqual([]);
    expect(env?.migrations).toBeUndefined();
    expect(env?.health.ready).toBe("http://127.0.0.1:3000/health/ready");
  });

  it("uses what was detected", () => {
    const facts: ProjectFacts = {
      service: "api",
      packageName: "@acme/api",
      scripts: { start: "node dist/main.js", test: "vitest", build: "tsc" },
      sqliteFiles: ["app.db", "data/app.sqlite", "data/cache.sqlite3"],
      migrationsDir: "db/migrations",
      dataDirs: ["uploads"],
    };
    const loaded = load(facts);
    expect(loaded.config.service).toBe("api");
    const env = loaded.config.environments.production;
    expect(env?.target).toMatchObject({ start: ["npm", "start"] });
    expect(env?.state).toEqual([
      { name: "app", kind: "sqlite", path: "app.db" },
      { name: "app-2", kind: "sqlite", path: "data/app.sqlite" },
      { name: "cache", kind: "sqlite", path: "data/cache.sqlite3" },
      { name: "files", kind: "files", paths: ["uploads"] },
    ]);
    expect(env?.migrations).toEqual({ kind: "sql-dir", dir: "db/migrations" });
    expect(env?.gates?.release?.checks.map((check) => check.name ?? check.type)).toEqual([
      "artifact",
      "current-health",
      "backup-age",
      "build",
      "tests",
      "migrations",
    ]);
    expect(env?.gates?.release?.checks.find((check) => check.name === "tests")).toMatchObject({
      type: "command",
      command: ["npm", "test"],
    });
    expect(env?.gates?.host?.checks.map((check) => check.type)).toEqual([
      "tools",
      "disk-space",
      "endpoints",
    ]);
  });

  it("round-trips arbitrary names and paths", () => {
    const text = fc.oneof(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.string({ minLength: 1, maxLength: 10, unit: "grapheme" }),
      fc.constantFrom("${X}", "$${Y}", "a: b", "- x", "#c", '"q"', "\\", "\n", " "),
    );
    fc.assert(
      fc.property(
        text,
        fc.array(
          text.map((name) => `${name}.db`),
          { maxLength: 4 },
        ),
        fc.option(text, { nil: undefined }),
        fc.array(text, { maxLength: 2 }),
        (service, sqliteFiles, migrationsDir, dataDirs) => {
          const facts: ProjectFacts = {
            ...bare,
            service,
            sqliteFiles: [...new Set(sqliteFiles)],
            migrationsDir,
            dataDirs,
          };
          const loaded = load(facts);
          const env = loaded.config.environments.production;
          expect(loaded.config.service).toBe(service.trim() === "" ? "my-service" : service);
          expect(env?.state.filter((a) => a.kind === "sqlite").map((a) => a.path)).toEqual(
            facts.sqliteFiles,
          );
          if (migrationsDir !== undefined)
            expect(env?.migrations).toMatchObject({ dir: migrationsDir });
        },
      ),
    );
  });
});

import { describe, expect, it } from "vitest";
import { ShipsafeError } from "../errors.js";
import { loadConfigText } from "./load-config-text.js";

const noVars = { processEnv: {}, envFile: {} };

const VALID = `version: 1
service: shop
environments:
  production:
    target:
      kind: local
      root: ./target
      start: [node, server.js]
    health:
      ready: http://127.0.0.1:3000/ready
    state:
      - name: main
        kind: sqlite
        path: data/app.db
`;

function failure(text: string, vars = noVars): ShipsafeError {
  try {
    loadConfigText(text, "shipsafe.yaml", vars);
  } catch (error) {
    if (error instanceof ShipsafeError) return error;
    throw error;
  }
  throw new Error("expected loadConfigText to throw");
}

describe("loadConfigText", () => {
  it("loads a valid config and applies defaults", () => {
    const loaded = loadConfigText(VALID, "shipsafe.yaml", noVars);
    const env = loaded.config.environments.production;
    expect(loaded.file).toBe("shipsafe.yaml");
    expect(env?.health).toEqual({
      ready: "http://127.0.0.1:3000/ready",
      timeout: "5s",
      interval: "2s",
      successes: 1,
    });
    expect(env?.target).toMatchObject({ kind: "local", readyTimeout: "60s" });
    expect(loaded.secretPaths).toEqual([]);
  });

  it("accepts JSON", () => {
    const json = JSON.stringify({
      version: 1,
      service: "shop",
      environments: {
        staging: {
          target: { kind: "command", activate: ["./deploy.sh"] },
          health: {},
          metrics: { source: "prometheus", url: "http://127.0.0.1:9090" },
        },
      },
    });
    const loaded = loadConfigText(json, "shipsafe.json", noVars);
    expect(loaded.config.environments.staging?.target).toMatchObject({
      kind: "command",
      timeout: "5m",
    });
    expect(loaded.config.environments.staging?.state).toEqual([]);
  });

  it("reports an unknown key at the key's line:col with a suggestion", () => {
    const text = VALID.replace("    health:\n", "    helth:\n");
    const error = failure(text);
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.kind).toBe("config");
    expect(error.problems).toContainEqual({
      location: "shipsafe.yaml:9:5",
      path: "environments.production.helth",
      message: 'unknown key "helth"',
      hint: 'did you mean "health"?',
    });
  });

  it("uses the single problem as the message", () => {
    const error = failure(VALID.replace("      root:", "      restrat: [x]\n      root:"));
    expect(error.message).toBe(
      'shipsafe.yaml:7:7 environments.production.target.restrat: unknown key "restrat"',
    );
    expect(error.hint).toBe('did you mean "restart"?');
    expect(error.location).toBe("shipsafe.yaml:7:7");
  });

  it("collects every problem, ordered by position", () => {
    const text = VALID.replace("kind: local", "kind: locl").replace(
      "      ready: http://127.0.0.1:3000/ready",
      "      successes: abc\n      timeout: soon",
    );
    const error = failure(`${text}    bogus: 1\n`);
    expect(error.message).toBe("shipsafe.yaml: 4 problems");
    expect(error.problems.map((p) => [p.location, p.path, p.message])).toEqual([
      [
        "shipsafe.yaml:6:13",
        "environments.production.target.kind",
        'unknown kind string "locl"; expected one of "local", "command"',
      ],
      [
        "shipsafe.yaml:10:18",
        "environments.production.health.successes",
        'expected number, got string "abc"',
      ],
      [
        "shipsafe.yaml:11:16",
        "environments.production.health.timeout",
        'expected a duration such as 300ms, 5s, 2m or 1h, got string "soon"',
      ],
      ["shipsafe.yaml:16:5", "environments.production.bogus", 'unknown key "bogus"'],
    ]);
    expect(error.problems[0]?.hint).toBe('did you mean "local"?');
    expect(error.location).toBe("shipsafe.yaml:6:13");
  });

  it("reports missing required keys at the parent", () => {
    const error = failure("version: 1\nenvironments:\n  prod:\n    health: {}\n");
    expect(error.problems.map((p) => `${p.location} ${p.path}: ${p.message}`)).toEqual([
      'shipsafe.yaml:1:1 service: missing required key "service"',
      'shipsafe.yaml:4:5 environments.prod.target: missing required key "target"',
    ]);
  });

  it("explains commands written as shell strings", () => {
    const error = failure(VALID.replace("[node, server.js]", "node server.js"));
    expect(error.problems[0]?.message).toBe('expected array, got string "node server.js"');
    expect(error.problems[0]?.hint).toContain("argv list");
  });

  it("rejects an unsupported version", () => {
    const error = failure(VALID.replace("version: 1", "version: 2"));
    expect(error.message).toBe("shipsafe.yaml:1:10 version: expected 1, got number 2");
  });

  it("rejects empty environments and duplicate environment names", () => {
    expect(failure("version: 1\nservice: a\nenvironments: {}\n").message).toBe(
      "shipsafe.yaml:3:15 environments: expected at least one environment",
    );
    const duplicate = failure(`${VALID}  production:\n    health: {}\n`);
    expect(duplicate.code).toBe("CONFIG_SYNTAX");
    expect(duplicate.message).toBe('shipsafe.yaml:15:3: duplicate key "production"');
  });

  it("rejects duplicate asset names and bad environment names", () => {
    const text = `${VALID}      - name: main\n        kind: files\n        paths: [uploads]\n`;
    expect(failure(text).message).toBe(
      'shipsafe.yaml:15:15 environments.production.state[1].name: duplicate name "main"',
    );
    const badName = failure(VALID.replace("  production:", "  prod uction:"));
    expect(badName.problems[0]?.location).toBe("shipsafe.yaml:4:3");
    expect(badName.problems[0]?.message).toContain('invalid name string "prod uction"');
  });

  it("reports YAML syntax errors with line:col", () => {
    const error = failure("version: 1\nservice: [shop\nenvironments: {}\n");
    expect(error.code).toBe("CONFIG_SYNTAX");
    expect(error.location).toMatch(/^shipsafe\.yaml:\d+:\d+$/);
    const tabs = failure("version: 1\nenvironments:\n\tprod: {}\n");
    expect(tabs.code).toBe("CONFIG_SYNTAX");
    expect(tabs.location).toBe("shipsafe.yaml:3:1");
  });

  it("reports an empty file", () => {
    const error = failure("# nothing yet\n");
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.hint).toContain("shipsafe init");
  });

  it("reports a missing variable with a hint", () => {
    const text = VALID.replace("path: data/app.db", "path: ${DB_PATH}");
    const error = failure(text);
    expect(error.message).toBe(
      "shipsafe.yaml:14:15 environments.production.state[0].path: missing variable ${DB_PATH}",
    );
    expect(error.hint).toBe(
      "set DB_PATH in the environment or in the env file given with --env-file",
    );
  });

  it("never shows env-file values in errors", () => {
    const text = VALID.replace("start: [node, server.js]", 'start: "${START}"');
    const vars = { processEnv: {}, envFile: { START: "s3cr3t-command" } };
    const error = failure(text, vars);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("s3cr3t");
    expect(error.problems[0]?.message).toBe(
      "expected array, got a string from the env file (hidden)",
    );
  });
});

describe("syntax hints", () => {
  it("suggests quoting ${VAR} inside a flow collection", () => {
    const text =
      "version: 1\nservice: shop\nenvironments:\n  p:\n    target: { kind: local, root: r, start: [node, ${ENTRY}] }\n";
    let caught: unknown;
    try {
      loadConfigText(text, "s.yaml", { processEnv: {}, envFile: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "CONFIG_SYNTAX" });
    expect((caught as { hint: string }).hint).toMatch(/quote values that use \$\{VAR\}/);
  });
});

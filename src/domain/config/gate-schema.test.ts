import { describe, expect, it } from "vitest";
import { ShipsafeError } from "../errors.js";
import { loadConfigText } from "./load-config-text.js";

const noVars = { processEnv: {}, envFile: {} };

const withChecks = (checks: string): string => `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./target, start: [node, server.js] }
    gates:
      release:
        checks:
${checks}
`;

function problems(text: string): ShipsafeError["problems"] {
  try {
    loadConfigText(text, "shipsafe.yaml", noVars);
  } catch (error) {
    if (error instanceof ShipsafeError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("gate check config", () => {
  it("accepts every check kind and fills in their defaults", () => {
    const loaded = loadConfigText(
      withChecks(`          - { type: command, name: tests, command: [npm, test] }
          - { type: http, url: "http://127.0.0.1:3000/version", json: { path: version, equals: "1.0.0" }, maxLatency: 500ms }
          - { type: endpoints }
          - { type: health, name: current-health }
          - { type: backup-age }
          - { type: snapshot-verify, snapshot: previous-release, mode: quick }
          - { type: migrations }
          - { type: tools, tools: [{ name: node, minVersion: "20.15" }, { name: kubectl, versionArgs: [version, --client] }] }
          - { type: artifact, version: previous, required: false }
          - { type: disk-space, factor: 2 }
          - { type: git, dir: ./app, tagPattern: "v*", after: [tests] }
          - { type: previous-release, timeout: 5s }`),
      "shipsafe.yaml",
      noVars,
    );
    const checks = loaded.config.environments.production?.gates?.release?.checks ?? [];
    expect(checks).toHaveLength(12);
    expect(checks[0]).toEqual({
      type: "command",
      name: "tests",
      command: ["npm", "test"],
      exitCode: 0,
      required: true,
    });
    expect(checks[4]).toEqual({
      type: "backup-age",
      maxAge: "24h",
      verify: false,
      required: true,
    });
    expect(checks[10]).toMatchObject({ type: "git", clean: true, tagged: true, after: ["tests"] });
    expect(checks[8]).toMatchObject({ required: false });
  });

  it("names an unknown type with a suggestion, at its line and column", () => {
    expect(problems(withChecks("          - { type: htp, url: http://x }"))).toContainEqual({
      location: "shipsafe.yaml:9:21",
      path: "environments.production.gates.release.checks[0].type",
      message: expect.stringMatching(
        /unknown type string "htp"; expected one of "command", "http"/,
      ),
      hint: 'did you mean "http"?',
    });
  });

  it("suggests the right key for a misspelt option of the check's own type", () => {
    const found = problems(
      withChecks('          - { type: http, url: "http://127.0.0.1/x", bodyContain: ok }'),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        path: "environments.production.gates.release.checks[0].bodyContain",
        message: 'unknown key "bodyContain"',
        hint: 'did you mean "bodyContains"?',
      }),
    );
  });

  it("refuses a command written as a shell string", () => {
    const found = problems(
      withChecks('          - { type: command, command: "npm test && rm -rf /" }'),
    );
    expect(found[0]).toMatchObject({
      path: "environments.production.gates.release.checks[0].command",
      hint: expect.stringMatching(/argv list/),
    });
  });

  it("reports a bad URL, duration, JSON path and tool name together", () => {
    const found = problems(
      withChecks(`          - { type: http, url: "ftp://x", maxLatency: 5 seconds, json: { path: "a..b" } }
          - { type: tools, tools: [{ name: "-rf" }, { name: node, minVersion: latest }] }`),
    );
    expect(found.map((p) => p.path)).toEqual([
      "environments.production.gates.release.checks[0].url",
      "environments.production.gates.release.checks[0].maxLatency",
      "environments.production.gates.release.checks[0].json.path",
      "environments.production.gates.release.checks[1].tools[0].name",
      "environments.production.gates.release.checks[1].tools[1].minVersion",
    ]);
  });

  it("refuses two checks with one name (the type is the default name)", () => {
    const found = problems(
      withChecks("          - { type: backup-age }\n          - { type: backup-age }"),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        location: "shipsafe.yaml:10:21",
        path: "environments.production.gates.release.checks[1].type",
        message: expect.stringMatching(/two checks are named "backup-age"/),
      }),
    );
  });

  it("refuses `after` naming no check, and checks waiting for each other", () => {
    const unknown = problems(withChecks("          - { type: migrations, after: [build] }"));
    expect(unknown[0]).toMatchObject({
      path: "environments.production.gates.release.checks[0].after[0]",
      message: 'no check named "build" in this gate (checks: migrations)',
    });
    const cycle = problems(
      withChecks(`          - { type: command, name: a, command: [x], after: [b] }
          - { type: command, name: b, command: [y], after: [a] }`),
    );
    expect(cycle[0]?.message).toBe("checks wait for each other in a cycle: a → b → a");
  });
});

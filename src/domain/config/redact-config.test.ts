import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load-config-text.js";
import { redactConfig, redactorForConfig } from "./redact-config.js";

const TEXT = `version: 1
service: shop
environments:
  production:
    target: { kind: command, activate: [./deploy.sh, "--token=\${DEPLOY_TOKEN}"] }
    health: { ready: "http://127.0.0.1:\${PORT}/ready" }
    state:
      - { name: main, kind: postgres, url: "postgres://app:\${DB_PASSWORD}@db:5432/app" }
      - { name: cache, kind: postgres, url: "postgres://ro:literalpw@replica/app" }
`;

describe("redactConfig", () => {
  const loaded = loadConfigText(TEXT, "shipsafe.yaml", {
    processEnv: { PORT: "3000", DEPLOY_TOKEN: "from-shell-token" },
    envFile: { DB_PASSWORD: "hunter2!x", UNUSED: "never-used-secret" },
  });

  it("marks env-file values and URLs with passwords as secret", () => {
    expect(loaded.secretPaths).toEqual([
      "environments.production.state[0].url",
      "environments.production.state[1].url",
    ]);
    expect(loaded.secretValues).toEqual(
      expect.arrayContaining(["hunter2!x", "never-used-secret", "literalpw"]),
    );
  });

  it("replaces every secret by ***, keeping the rest of a URL readable", () => {
    const redacted = redactConfig(loaded) as {
      environments: { production: { state: { url: string }[]; health: { ready: string } } };
    };
    expect(redacted.environments.production.state.map((asset) => asset.url)).toEqual([
      "postgres://app:***@db:5432/app",
      "postgres://ro:***@replica/app",
    ]);
    expect(redacted.environments.production.health.ready).toBe("http://127.0.0.1:3000/ready");
    const text = JSON.stringify(redacted);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("literalpw");
  });

  it("builds a redactor covering config secrets and all env-file values", () => {
    const redactor = redactorForConfig(loaded);
    expect(redactor.redactText("a never-used-secret b hunter2%21x c literalpw")).toBe(
      "a *** b *** c ***",
    );
  });

  it("treats values under credential-looking keys as secret", () => {
    const withSecretKey = loadConfigText(
      `version: 1
service: s
environments:
  e:
    target: { kind: local, root: r, start: [x] }
    gates:
      release:
        checks: [{ name: token, type: migrations }]
`,
      "f.yaml",
      { processEnv: {}, envFile: {} },
    );
    // "name" is not a credential key, so a check named "token" is not a secret.
    expect(withSecretKey.secretPaths).toEqual([]);
  });
});

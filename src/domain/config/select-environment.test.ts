import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load-config-text.js";
import { selectEnvironment } from "./select-environment.js";

function config(names: string[]) {
  const envs = names
    .map((name) => `  ${name}:\n    target: { kind: local, root: r, start: [x] }\n`)
    .join("");
  return loadConfigText(`version: 1\nservice: s\nenvironments:\n${envs}`, "f.yaml", {
    processEnv: {},
    envFile: {},
  }).config;
}

describe("selectEnvironment", () => {
  it("uses the only environment when none is named", () => {
    expect(selectEnvironment(config(["production"]), undefined).name).toBe("production");
  });

  it("requires a name when there are several", () => {
    expect(() => selectEnvironment(config(["staging", "production"]), undefined)).toThrow(
      expect.objectContaining({
        code: "CONFIG_ENV_REQUIRED",
        kind: "usage",
        message: 'the config defines 2 environments ("staging", "production"); choose one',
      }),
    );
  });

  it("selects by name and rejects unknown names with the known ones", () => {
    const cfg = config(["staging", "production"]);
    expect(selectEnvironment(cfg, "staging").env.target.kind).toBe("local");
    expect(() => selectEnvironment(cfg, "prodution")).toThrow(
      expect.objectContaining({
        code: "ENV_UNKNOWN",
        message: 'unknown environment "prodution"; the config defines "staging", "production"',
        hint: "did you mean --env production?",
      }),
    );
    expect(() => selectEnvironment(cfg, "toString")).toThrow(
      expect.objectContaining({ code: "ENV_UNKNOWN" }),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeInterpolation, interpolate, interpolateString } from "./interpolate.js";

const vars = {
  processEnv: { HOST: "shell-host", PORT: "8080", ONLY_SHELL: "x" },
  envFile: { HOST: "file-host", DB_PASSWORD: "hunter22" },
};

describe("interpolateString", () => {
  it("substitutes variables from the process env and the env file", () => {
    expect(interpolateString("http://${ONLY_SHELL}:${PORT}/", vars)).toEqual({
      text: "http://x:8080/",
      fromEnvFile: false,
      problems: [],
    });
  });

  it("lets the env file win over the process env", () => {
    expect(interpolateString("${HOST}", vars)).toMatchObject({
      text: "file-host",
      fromEnvFile: true,
    });
  });

  it("writes $${ as a literal ${", () => {
    expect(interpolateString("echo $${HOME} and ${PORT}", vars).text).toBe("echo ${HOME} and 8080");
    expect(interpolateString("cost: $5 $$ {x}", vars).text).toBe("cost: $5 $$ {x}");
  });

  it("reports missing variables and malformed references", () => {
    expect(interpolateString("${NOPE}", vars).problems).toEqual([
      {
        message: "missing variable ${NOPE}",
        hint: "set NOPE in the environment or in the env file given with --env-file",
      },
    ]);
    expect(interpolateString("${not closed", vars).problems[0]?.message).toBe(
      'invalid variable reference "${not closed"',
    );
    expect(interpolateString("${A-B}", vars).problems[0]?.message).toBe(
      'invalid variable reference "${A-B}"',
    );
  });

  it("round-trips escaped text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("$", "{", "}", "A", " ") })),
        (text) => {
          const result = interpolateString(escapeInterpolation(text), {
            processEnv: {},
            envFile: {},
          });
          expect(result).toEqual({ text, fromEnvFile: false, problems: [] });
        },
      ),
    );
  });
});

describe("interpolate", () => {
  it("walks the tree and records which paths used the env file", () => {
    const result = interpolate(
      { a: { url: "postgres://app:${DB_PASSWORD}@db/app", port: 5432 }, list: ["${PORT}", "${X}"] },
      vars,
    );
    expect(result.value).toEqual({
      a: { url: "postgres://app:hunter22@db/app", port: 5432 },
      list: ["8080", "${X}"],
    });
    expect(result.envFilePaths).toEqual([["a", "url"]]);
    expect(result.problems).toEqual([
      { path: ["list", 1], message: "missing variable ${X}", hint: expect.any(String) },
    ]);
  });
});

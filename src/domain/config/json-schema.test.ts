import { describe, expect, it } from "vitest";
import { configJsonSchema } from "./json-schema.js";

describe("configJsonSchema", () => {
  it("matches the snapshot (update it deliberately when the config format changes)", () => {
    expect(configJsonSchema()).toMatchSnapshot();
  });

  it("forbids unknown keys and requires the essentials", () => {
    const schema = configJsonSchema() as { required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(["version", "service", "environments"]);
    expect(schema.additionalProperties).toBe(false);
  });
});

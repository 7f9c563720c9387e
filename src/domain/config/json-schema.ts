import { z } from "zod";
import { shipsafeConfigSchema } from "./schema.js";

/** The JSON Schema of shipsafe.yaml as users write it (keys with defaults are optional). */
export function configJsonSchema(): object {
  const schema = z.toJSONSchema(shipsafeConfigSchema, { io: "input" }) as unknown as {
    properties: { environments: Record<string, unknown> };
  };
  // The "at least one environment" refinement has no JSON Schema form of its own.
  schema.properties.environments.minProperties = 1;
  return { ...schema, title: "shipsafe.yaml" };
}

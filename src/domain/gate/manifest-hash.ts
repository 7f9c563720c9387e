import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";

/** The hash a snapshot manifest carries: sha256 of its canonical JSON without `manifestHash`. */
export function manifestHashOf(manifest: object): string {
  const { manifestHash: _ignored, ...rest } = manifest as { manifestHash?: unknown };
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}

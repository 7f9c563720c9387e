import { createHash } from "node:crypto";
import { canonicalJson } from "../../../domain/canonical-json.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";

export const MANIFEST_FILE = "manifest.json";

/** sha256 of the canonical JSON of the manifest without `manifestHash`. */
export function manifestHashOf(manifest: Omit<SnapshotManifest, "manifestHash">): string {
  const { manifestHash: _ignored, ...rest } = manifest as SnapshotManifest;
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}

/**
 * Parses manifest.json and checks its shape and hash. Returns the problems instead of throwing, so
 * `list` can skip a bad snapshot and `verify` can report it.
 */
export function parseManifest(
  text: string,
):
  | { manifest: SnapshotManifest; problems: string[] }
  | { manifest: undefined; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { manifest: undefined, problems: ["manifest.json is not valid JSON"] };
  }
  const shapeProblems = checkShape(value);
  if (shapeProblems.length > 0) return { manifest: undefined, problems: shapeProblems };
  const manifest = value as SnapshotManifest;
  const actual = manifestHashOf(manifest);
  const problems =
    actual === manifest.manifestHash
      ? []
      : [
          `manifest.json was altered: its content hashes to ${actual}, not ${manifest.manifestHash}`,
        ];
  return { manifest, problems };
}

function checkShape(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return ["manifest.json is not a JSON object"];
  }
  const m = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ["id", "env", "service", "createdAt", "reason", "manifestHash"]) {
    if (typeof m[key] !== "string") problems.push(`manifest.json: ${key} is not a string`);
  }
  if (typeof m.size !== "number") problems.push("manifest.json: size is not a number");
  if (!Array.isArray(m.assets)) return [...problems, "manifest.json: assets is not a list"];
  m.assets.forEach((asset: unknown, i) => {
    const a = (typeof asset === "object" && asset !== null ? asset : {}) as Record<string, unknown>;
    const where = `manifest.json: assets[${i}]`;
    if (typeof a.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a.name)) {
      problems.push(`${where}.name is not an asset name`);
    }
    if (typeof a.kind !== "string") problems.push(`${where}.kind is not a string`);
    if (typeof a.details !== "object" || a.details === null) {
      problems.push(`${where}.details is not an object`);
    }
    if (!Array.isArray(a.files)) {
      problems.push(`${where}.files is not a list`);
      return;
    }
    a.files.forEach((file: unknown, j) => {
      const f = (typeof file === "object" && file !== null ? file : {}) as Record<string, unknown>;
      if (
        typeof f.path !== "string" ||
        typeof f.size !== "number" ||
        typeof f.sha256 !== "string"
      ) {
        problems.push(`${where}.files[${j}] is not { path, size, sha256 }`);
      }
    });
  });
  return problems;
}

import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { ConfigPath } from "./interpolate.js";

export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/**
 * Finds where a config path is written. With `key: true` it points at the key itself (for unknown
 * keys); a path that does not exist (a missing key) points at its nearest existing parent.
 */
export function positionOf(
  root: Node | null,
  path: ConfigPath,
  lineCounter: LineCounter,
  options: { key?: boolean } = {},
): SourcePosition {
  let node: unknown = root;
  let keyNode: unknown;
  for (const segment of path) {
    const next = child(node, segment);
    if (next === undefined) break;
    keyNode = next.key;
    node = next.value;
  }
  const target = options.key === true && keyNode !== undefined ? keyNode : (node ?? keyNode);
  const offset = rangeStart(target) ?? rangeStart(keyNode) ?? 0;
  return lineCounter.linePos(offset);
}

function child(
  node: unknown,
  segment: string | number,
): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(segment)) return { key: pair.key, value: pair.value ?? pair.key };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: item, value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0];
  }
  return undefined;
}

/** Formats a config path for people: `environments.production.state[0].path`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(top level)" : out;
}

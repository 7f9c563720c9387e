import type { EvidenceBundles } from "../../ports/evidence-bundle.js";
import { readBundle } from "./read-bundle.js";
import { writeBundle } from "./write-bundle.js";

/** Evidence bundles as `.tar.gz` files: our tar writer and safe reader, node:zlib gzip. */
export function createTarGzEvidenceBundles(): EvidenceBundles {
  return { write: writeBundle, read: readBundle } satisfies EvidenceBundles;
}

import { createTarGzEvidenceBundles } from "../adapters/evidence-bundle/tar-gz-evidence-bundles.js";
import type { EvidenceBundles } from "../ports/evidence-bundle.js";

/** The evidence bundle format `evidence bundle` writes and `evidence verify` reads. */
export function openEvidenceBundles(): EvidenceBundles {
  return createTarGzEvidenceBundles();
}

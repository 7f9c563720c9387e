import {
  gateRunFacts,
  type LkgOptions,
  type LkgSelection,
  releaseFacts,
  selectLastKnownGood,
} from "../../domain/lkg/last-known-good.js";
import type { Store } from "../../ports/store.js";

/** The environment's last known good release, from its release records and gate runs. */
export async function lastKnownGood(
  ports: { readonly env: string; readonly store: Pick<Store, "releases" | "gateRuns"> },
  options: LkgOptions = {},
): Promise<LkgSelection> {
  const releases = await ports.store.releases.list({ env: ports.env });
  const runs = await ports.store.gateRuns.list({ env: ports.env });
  return selectLastKnownGood(releases.map(releaseFacts), runs.map(gateRunFacts), options);
}

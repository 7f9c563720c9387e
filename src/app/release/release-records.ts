import type { JsonObject } from "../../domain/model/json.js";
import type { ReleaseRecord } from "../../domain/model/records.js";
import type { EnvironmentPorts } from "../environment.js";

/**
 * A release's life in one environment: added → prepared → active → healthy | failed → rolled-back.
 * `doc` carries the manifest, the gate run, the snapshot, and deploy facts.
 */
export type ReleaseStatus = "added" | "prepared" | "active" | "healthy" | "failed" | "rolled-back";

export function releaseRecordId(env: string, version: string): string {
  return `${env}/${version}`;
}

export async function getReleaseRecord(
  ports: Pick<EnvironmentPorts, "env" | "store">,
  version: string,
): Promise<ReleaseRecord | undefined> {
  return ports.store.releases.get(releaseRecordId(ports.env, version));
}

/** Creates or updates the record of `version`, merging `doc` into what is there. */
export async function saveReleaseRecord(
  ports: Pick<EnvironmentPorts, "env" | "service" | "store" | "clock">,
  version: string,
  status: ReleaseStatus,
  doc: JsonObject,
): Promise<ReleaseRecord> {
  const existing = await ports.store.releases.get(releaseRecordId(ports.env, version));
  const record: ReleaseRecord = {
    id: releaseRecordId(ports.env, version),
    service: ports.service,
    env: ports.env,
    version,
    createdAt: existing?.createdAt ?? ports.clock.now().toISOString(),
    status,
    doc: { ...(existing?.doc ?? {}), ...doc, status },
  };
  await ports.store.releases.put(record);
  return record;
}

import type { CheckType } from "../../domain/gate/check-kinds.js";
import type { CheckImplementation } from "./check-context.js";
import { backupAgeCheck, snapshotVerifyCheck } from "./checks/backup-checks.js";
import { artifactCheck, healthCheck, previousReleaseCheck } from "./checks/release-checks.js";
import {
  commandCheck,
  diskSpaceCheck,
  endpointsCheck,
  gitCheck,
  httpCheck,
  migrationsCheck,
  toolsCheck,
} from "./checks/world-checks.js";

/** The code of every check kind (CHECK_KINDS in the domain holds their defaults). */
export const CHECK_IMPLEMENTATIONS: { readonly [K in CheckType]: CheckImplementation<K> } = {
  command: commandCheck,
  http: httpCheck,
  endpoints: endpointsCheck,
  health: healthCheck,
  "backup-age": backupAgeCheck,
  "snapshot-verify": snapshotVerifyCheck,
  migrations: migrationsCheck,
  tools: toolsCheck,
  artifact: artifactCheck,
  "disk-space": diskSpaceCheck,
  git: gitCheck,
  "previous-release": previousReleaseCheck,
};

import { ShipsafeError } from "../../domain/errors.js";
import type { ReleaseInfo, Target } from "../../ports/target.js";

/** The error for a version the target does not hold, listing the ones it does. */
export function unknownVersionError(version: string, known: readonly string[]): ShipsafeError {
  return new ShipsafeError({
    code: "VERSION_UNKNOWN",
    kind: "usage",
    message: `unknown version "${version}" (known versions: ${known.length ? known.join(", ") : "none"})`,
    hint: `use one of the known versions; add a release with: shipsafe release add ${version} --from <dir|archive.tar.gz>`,
  });
}

/** The stored release `version`, or a VERSION_UNKNOWN error listing the known versions. */
export async function requireRelease(target: Target, version: string): Promise<ReleaseInfo> {
  const info = await target.release(version);
  if (info) return info;
  throw unknownVersionError(
    version,
    (await target.releases()).map((r) => r.version),
  );
}

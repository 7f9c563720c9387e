import { targetErrors } from "./target-errors.js";

const VERSION = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}$/;

/**
 * True when `version` is safe as a directory name and as an argument: letters, digits, `.`, `_`,
 * `-`, `+`, not starting with `-` or `.`, at most 200 characters.
 */
export function isReleaseVersion(version: string): boolean {
  return VERSION.test(version);
}

/** Throws RELEASE_VERSION_INVALID unless `isReleaseVersion(version)`. */
export function assertReleaseVersion(version: string): void {
  if (!isReleaseVersion(version)) throw targetErrors.versionInvalid(version);
}

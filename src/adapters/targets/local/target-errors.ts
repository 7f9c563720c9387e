import { ShipsafeError } from "../../../domain/errors.js";

/** The local target's entries in the error catalogue (documented in docs/targets.md#errors). */
export const targetErrors = {
  versionInvalid(version: string): ShipsafeError {
    return new ShipsafeError({
      code: "RELEASE_VERSION_INVALID",
      kind: "usage",
      message: `invalid release version ${JSON.stringify(version)}`,
      hint: "use letters, digits, '.', '_', '-' and '+', not starting with '-' or '.' (e.g. 1.4.2 or 2024-06-01+abc123)",
    });
  },

  sourceNotFound(from: string): ShipsafeError {
    return new ShipsafeError({
      code: "RELEASE_SOURCE_NOT_FOUND",
      kind: "usage",
      message: `release source ${from} does not exist`,
      hint: "pass a build directory or a .tar.gz/.tgz archive that exists, e.g. --from ./dist",
    });
  },

  sourceUnsupported(from: string): ShipsafeError {
    return new ShipsafeError({
      code: "RELEASE_SOURCE_UNSUPPORTED",
      kind: "usage",
      message: `release source ${from} is neither a directory nor a .tar.gz/.tgz archive`,
      hint: "pass a directory or a gzip-compressed tar archive named *.tar.gz or *.tgz",
    });
  },

  sourceUnreadable(from: string, detail: string, cause?: unknown): ShipsafeError {
    return new ShipsafeError(
      {
        code: "RELEASE_SOURCE_UNREADABLE",
        kind: "usage",
        message: `cannot read release archive ${from}: ${detail}`,
        hint: "check the file is a complete gzip-compressed tar archive (tar -tzf <file>) and that tar is installed",
      },
      { cause },
    );
  },

  sourceUnsafe(from: string, problems: readonly string[]): ShipsafeError {
    const shown = problems.slice(0, 5).join("; ");
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
    return new ShipsafeError({
      code: "RELEASE_SOURCE_UNSAFE",
      kind: "refused",
      message: `release source ${from} was refused: ${shown}${more}`,
      hint: "a release may only hold regular files, directories and symlinks that stay inside it; rebuild the archive with relative paths and no device files",
    });
  },

  exists(version: string, existing: string | undefined, incoming: string): ShipsafeError {
    const stored =
      existing === undefined
        ? "its directory exists but holds no shipsafe manifest"
        : `stored checksum ${existing.slice(0, 12)}, new ${incoming.slice(0, 12)}`;
    return new ShipsafeError({
      code: "RELEASE_EXISTS",
      kind: "refused",
      message: `release ${version} already exists with different content (${stored})`,
      hint: "releases are immutable: give the new build a new version (e.g. bump it or append +<commit>)",
    });
  },

  versionUnknown(version: string, known: readonly string[]): ShipsafeError {
    return new ShipsafeError({
      code: "VERSION_UNKNOWN",
      kind: "usage",
      message: `unknown version "${version}" (known versions: ${known.length > 0 ? known.join(", ") : "none"})`,
      hint: "use one of the known versions; add releases with: shipsafe release add <version> --from <dir>",
    });
  },

  currentInvalid(link: string, detail: string): ShipsafeError {
    return new ShipsafeError({
      code: "CURRENT_LINK_INVALID",
      kind: "runtime",
      message: `${link} ${detail}`,
      hint: "shipsafe manages this path: it must be a symlink to releases/<version>; move the file away and activate a release again",
    });
  },

  nothingActive(root: string): ShipsafeError {
    return new ShipsafeError({
      code: "NO_CURRENT_RELEASE",
      kind: "usage",
      message: `no release is active under ${root} (there is no current link)`,
      hint: "activate a release first: shipsafe deploy <version>",
    });
  },

  commandFailed(argv: readonly string[], detail: string, cause?: unknown): ShipsafeError {
    return new ShipsafeError(
      {
        code: "TARGET_COMMAND_FAILED",
        kind: "runtime",
        message: `${formatArgv(argv)} ${detail}`,
        hint: "run the command by hand on the target to see why; check the argv in shipsafe.yaml (target.start / stop / restart)",
      },
      { cause },
    );
  },

  pidFileInvalid(file: string, cause?: unknown): ShipsafeError {
    return new ShipsafeError(
      {
        code: "PID_FILE_INVALID",
        kind: "runtime",
        message: `pid file ${file} is not one shipsafe wrote`,
        hint: "check no process from it is still running, then delete the file",
      },
      { cause },
    );
  },

  stopFailed(pid: number, graceMs: number): ShipsafeError {
    return new ShipsafeError({
      code: "TARGET_STOP_FAILED",
      kind: "runtime",
      message: `process group ${pid} is still alive after SIGTERM, ${graceMs}ms grace and SIGKILL`,
      hint: `inspect it with: ps -o pid,stat,cmd -g ${pid}`,
    });
  },
};

/** An argv as a readable, copy-pasteable command line for messages (never executed). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(" ");
}

import { posix } from "node:path";
import { isShipsafeError } from "../../../domain/errors.js";
import { runCommand } from "./run-command.js";
import { targetErrors } from "./target-errors.js";

const TAR_TIMEOUT_MS = 10 * 60_000;

/** True when `from` names a gzip-compressed tar archive shipsafe can add as a release. */
export function isTarball(from: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(from);
}

/**
 * Extracts `archive` into the existing, empty directory `dest` with the system `tar`, after a
 * listing pass refuses absolute paths, `..`, links leaving the archive and special files, so
 * nothing is written before the whole archive is known to be safe. `shownAs` names the archive
 * in errors.
 */
export async function extractTarball(
  archive: string,
  dest: string,
  shownAs: string,
): Promise<void> {
  // C locale: GNU tar translates "link to" and formats dates per locale; escapes keep one line per entry.
  const env = { ...process.env, LC_ALL: "C", LANG: "C" };
  const options = { cwd: dest, env, timeoutMs: TAR_TIMEOUT_MS };
  const list = async (flags: string) => {
    const { stdout } = await runCommand(["tar", "-P", flags, archive], options);
    return stdout.split("\n").filter((line) => line !== "");
  };
  let names: string[];
  let verbose: string[];
  try {
    names = await list("-tzf");
    verbose = await list("-tvzf");
  } catch (error) {
    throw unreadable(error, shownAs);
  }
  const problems =
    names.length === verbose.length
      ? names.flatMap((name, index) => entryProblems(name, verbose[index] ?? ""))
      : ["the archive's listings disagree (a member name holds a line break?)"];
  if (problems.length > 0) throw targetErrors.sourceUnsafe(shownAs, problems);
  try {
    await runCommand(["tar", "-xzf", archive, "-C", dest, "--no-same-owner"], options);
  } catch (error) {
    throw unreadable(error, shownAs);
  }
}

/** The problems of one member, given its name (as `tar -t` prints it) and its `tar -tv` line. */
export function entryProblems(name: string, line: string): string[] {
  const problems = pathProblems(name, "member");
  const type = line[0];
  const linkTo = line.indexOf(` ${name} link to `);
  const symlinkTo = line.indexOf(` ${name} -> `);
  if (type === "h" || linkTo >= 0) {
    const target = line.slice(linkTo + ` ${name} link to `.length);
    if (linkTo < 0) problems.push(`hard link ${name}: cannot read its target`);
    else problems.push(...pathProblems(target, `hard link ${name} -> target`));
  } else if (type === "l") {
    if (symlinkTo < 0) {
      problems.push(`symlink ${name}: cannot read its target`);
    } else {
      const target = line.slice(symlinkTo + ` ${name} -> `.length);
      const resolved = posix.normalize(posix.join(posix.dirname(stripDotSlash(name)), target));
      if (target.startsWith("/") || resolved === ".." || resolved.startsWith("../")) {
        problems.push(`symlink ${name} -> ${target} points outside the archive`);
      }
    }
  } else if (type !== "-" && type !== "d") {
    problems.push(`${name} is a device, fifo or other special file (type "${type ?? "?"}")`);
  }
  return problems;
}

function pathProblems(path: string, what: string): string[] {
  if (path.startsWith("/")) return [`${what} ${path} is an absolute path`];
  if (path.split("/").includes("..")) return [`${what} ${path} contains ".."`];
  return [];
}

function stripDotSlash(name: string): string {
  return name.replace(/^(\.\/)+/, "");
}

function unreadable(error: unknown, shownAs: string): unknown {
  if (!isShipsafeError(error) || error.code !== "TARGET_COMMAND_FAILED") return error;
  return targetErrors.sourceUnreadable(shownAs, error.message, error);
}

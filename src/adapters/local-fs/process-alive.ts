/**
 * Whether a process with this pid runs on this host (signal 0; EPERM means it runs as another
 * user). Decides whether a lock, lease or staging directory's holder is gone.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

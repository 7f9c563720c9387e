import { escapeInterpolation } from "./interpolate.js";
import type { ProjectFacts } from "./project-facts.js";

/** A YAML string scalar that loads back as exactly `value` (quoted, `${` escaped). */
function str(value: string): string {
  return JSON.stringify(escapeInterpolation(value));
}

function list(values: readonly string[]): string {
  return `[${values.map(str).join(", ")}]`;
}

/** A valid, unique asset name derived from a file path (`data/app.db` -> `app`). */
function assetNames(paths: readonly string[]): string[] {
  const used = new Set<string>(["files"]);
  return paths.map((path) => {
    const base = (path.split("/").pop() ?? path).replace(/\.(db|sqlite3?)$/i, "");
    let name = base.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
    if (name === "") name = "db";
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name}-${n}`;
    used.add(unique);
    return unique;
  });
}

function serviceName(facts: ProjectFacts): string {
  return facts.service.trim() === "" ? "my-service" : facts.service;
}

/** Writes a commented shipsafe.yaml for the detected project; it always passes validation. */
export function renderInitConfig(facts: ProjectFacts): string {
  const start =
    facts.scripts.start !== undefined ? list(["npm", "start"]) : list(["node", "server.js"]);
  const startComment =
    facts.scripts.start !== undefined
      ? "# runs the package.json start script"
      : "# TODO: the command that starts your service";
  const names = assetNames(facts.sqliteFiles);
  const state = [
    ...facts.sqliteFiles.map(
      (path, i) =>
        `      - name: ${str(names[i] ?? "db")}\n        kind: sqlite\n        path: ${str(path)}`,
    ),
    ...(facts.dataDirs.length > 0
      ? [`      - name: files\n        kind: files\n        paths: ${list(facts.dataDirs)}`]
      : []),
  ];
  const checks = [
    "          - { type: artifact }                     # the release still matches its checksum",
    "          - { type: health, name: current-health } # the running release answers live/ready",
    "          - { type: backup-age, maxAge: 24h }      # a snapshot younger than a day exists",
    ...(facts.scripts.build !== undefined
      ? ["          - { type: command, name: build, command: [npm, run, build], timeout: 10m }"]
      : []),
    ...(facts.scripts.test !== undefined
      ? ["          - { type: command, name: tests, command: [npm, test], timeout: 15m }"]
      : []),
    ...(facts.migrationsDir !== undefined ? ["          - { type: migrations }"] : []),
  ];

  return `# shipsafe.yaml — how shipsafe releases, rolls back and restores ${serviceName(facts).replace(/\s+/g, " ")}.
# Reference: docs/config.md. Values may use \${VAR} from the environment or from --env-file;
# anything taken from the env file is treated as a secret and masked in all output.
version: 1

# The service name recorded in releases, evidence and the audit ledger.
service: ${str(serviceName(facts))}

environments:
  production:
    # Where releases run. "local": releases live in <root>/releases/<version>/ and a "current"
    # symlink is switched atomically (keep it outside .shipsafe/, which holds shipsafe's own
    # state); start/stop/restart are argv lists (never shell strings).
    target:
      kind: local
      root: ./deploy
      start: ${start} ${startComment}
      readyTimeout: 60s

    # Probed after every deploy and rollback, and by release gates. Adjust the port and paths.
    health:
      live: http://127.0.0.1:3000/health/live
      ready: http://127.0.0.1:3000/health/ready
      timeout: 5s      # per probe
      interval: 2s     # between probes
      successes: 1     # consecutive successes needed to call the service ready

    # State that snapshots protect and restores bring back (kinds: sqlite, postgres, files).
    # Example: - { name: main, kind: postgres, url: "\${DATABASE_URL}" }
${state.length > 0 ? `    state:\n${state.join("\n")}` : "    state: []"}
${
  facts.migrationsDir !== undefined
    ? `
    # Migrations let the rollback planner tell app-only rollbacks from ones that need the schema
    # rolled back (down-migrations or a snapshot restore).
    migrations:
      kind: sql-dir
      dir: ${str(facts.migrationsDir)}
`
    : `
    # Migrations (optional) let the rollback planner classify rollbacks, e.g.:
    # migrations: { kind: sql-dir, dir: migrations }
`
}
    # Metrics compared against the pre-deploy baseline while observing a release (optional):
    # metrics: { source: scrape, url: http://127.0.0.1:3000/metrics }

    # Gates: named lists of checks, run with "shipsafe gate <name>" (each run is recorded as
    # evidence in the audit ledger). "release prepare" runs the release gate. Check types and
    # their options: docs/gates.md. Gates not listed here (rollback, restore) use built-in checks.
    gates:
      release:
        checks:
${checks.join("\n")}
      # "shipsafe host verify" (add --skip-endpoints before the service is started).
      host:
        checks:
          - { type: tools, tools: [{ name: node, minVersion: "20.15" }] }
          - { type: disk-space }       # room for a snapshot of the state
          - { type: endpoints }        # the health URLs above answer 2xx

    # What a failed observation leads to, per severity (docs/policy.md). autoRollback: false turns
    # every automatic rollback into a prepared plan that waits for \`shipsafe approve <plan-id>\`.
    policy:
      autoRollback: false
      approvals:
        required: 1
`;
}

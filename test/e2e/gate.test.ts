import { appendFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { stopDeployedService } from "../helpers/demo-app.js";
import { git as gitIn } from "../helpers/git.js";
import { type CliRun, shipsafe } from "../helpers/shipsafe-cli.js";

const SECRET = "gate-secret-4d9c1e";

/** The release gate of ten checks this test configures, against the demo app on loopback. */
const gates = (baseUrl: string): string => `    gates:
      release:
        checks:
          - type: command
            name: build
            command: [${JSON.stringify(process.execPath)}, -e, "console.log('built with ' + process.env.API_TOKEN)"]
            env: { API_TOKEN: "\${API_TOKEN}" }
          - type: http
            url: ${baseUrl}/version
            json: { path: version, equals: "1.0.0" }
            maxLatency: 5s
          - { type: endpoints }
          - { type: health, name: current-health, requireRunning: true }
          - { type: backup-age, maxAge: 1h, verify: true }
          - { type: snapshot-verify, snapshot: newest, mode: full }
          - type: tools
            tools: [{ name: node, minVersion: "20.15" }, { name: git, minVersion: "2" }]
          - { type: artifact }
          - { type: disk-space, factor: 2 }
          - { type: git, dir: ./repo, tagPattern: "v*", after: [build] }
`;

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

interface CheckDoc {
  name: string;
  subsystem: string;
  status: string;
  diagnostics: string[];
}

describe("shipsafe gate and host verify (built CLI, the demo app on loopback)", () => {
  let ws: DemoWorkspace;
  const runs: CliRun[] = [];
  const run = async (args: string[]): Promise<CliRun> => {
    const result = await shipsafe(["--config", ws.configFile, ...args], { cwd: ws.dir });
    runs.push(result);
    return result;
  };
  const json = async (args: string[]) => {
    const r = await run(["--json", ...args]);
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };
  const byName = (doc: { checks: CheckDoc[] }, name: string): CheckDoc | undefined =>
    doc.checks.find((c) => c.name === name);
  const evidenceFile = (hash: string): string =>
    join(ws.dir, ".shipsafe", "evidence", hash.slice(0, 2), `${hash}.json`);
  const stopService = () => stopDeployedService(ws.dir, ws.baseUrl);

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    const added = await run(["release", "add", "1.0.0", "--from", ws.sources["1.0.0"] as string]);
    expect(added.code, added.stderr).toBe(0);
    expect((await run(["release", "prepare", "1.0.0"])).code).toBe(0);
    const deployed = await run(["deploy", "1.0.0", "--observe", "200ms", "--no-auto-rollback"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect((await run(["snapshot", "create", "--reason", "gate-test"])).code).toBe(0);

    const repo = join(ws.dir, "repo");
    await mkdir(repo);
    await writeFile(join(repo, "README"), "release source\n");
    const git = (...args: string[]) => gitIn(repo, ...args);
    git("init", "-q");
    git("add", "README");
    git("commit", "-q", "-m", "1.0.0");
    git("tag", "v1.0.0");

    await appendFile(ws.configFile, gates(ws.baseUrl));
    await writeFile(join(ws.dir, ".env.gate"), `API_TOKEN=${SECRET}\n`);
    const check = await run(["--env-file", ".env.gate", "config", "check"]);
    expect(check.code, check.stderr + check.stdout).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await stopService();
    await rm(ws.dir, { recursive: true, force: true });
  });

  let passedHash = "";

  it("passes a release gate of ten checks against the running service (exit 0)", async () => {
    const r = await json(["--env-file", ".env.gate", "gate", "release"]);
    expect(r.code, JSON.stringify(r.doc, null, 2)).toBe(0);
    expect(r.doc).toMatchObject({ gate: "release", env: "demo", passed: true });
    expect(r.doc.checks.map((c: CheckDoc) => [c.name, c.status])).toEqual([
      ["build", "pass"],
      ["http", "pass"],
      ["endpoints", "pass"],
      ["current-health", "pass"],
      ["backup-age", "pass"],
      ["snapshot-verify", "pass"],
      ["tools", "pass"],
      ["artifact", "pass"],
      ["disk-space", "pass"],
      ["git", "pass"],
    ]);
    expect(byName(r.doc, "http")?.diagnostics[0]).toMatch(/version = "1\.0\.0"/);
    expect(byName(r.doc, "git")?.diagnostics[0]).toMatch(/tagged v1\.0\.0, working tree clean/);
    expect(byName(r.doc, "artifact")?.diagnostics[0]).toBe(
      "release 1.0.0 matches its checksummed file list",
    );
    expect(r.doc.evidenceHash).toMatch(/^[0-9a-f]{64}$/);
    passedHash = r.doc.evidenceHash;
  });

  it("prints a checklist for people and exits 0", async () => {
    const r = await run(["--env-file", ".env.gate", "gate", "release"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gate release \(demo\): PASSED — 10 checks: 10 pass/);
    expect(r.stdout).toMatch(/^ {2}pass {2}endpoints/m);
    expect(r.stdout).toMatch(/^evidence [0-9a-f]{64} \(ledger entry #\d+/m);
    expect(r.stderr).toMatch(/→ build/);
    expect(r.stderr).toMatch(/✓ git pass/);
  });

  it("fails when the service is stopped: http and endpoints name the URL and the error (exit 1)", async () => {
    await stopService();
    const r = await json(["--env-file", ".env.gate", "gate", "release"]);
    expect(r.code).toBe(1);
    expect(r.doc.passed).toBe(false);
    const http = byName(r.doc, "http");
    expect(http).toMatchObject({ status: "fail", subsystem: "health" });
    expect(http?.diagnostics[0]).toBe(`GET ${ws.baseUrl}/version: connection refused`);
    const endpoints = byName(r.doc, "endpoints");
    expect(endpoints?.status).toBe("fail");
    for (const path of ["/health/live", "/health/ready", "/metrics"]) {
      expect(endpoints?.diagnostics).toContain(`GET ${ws.baseUrl}${path}: connection refused`);
    }
    expect(byName(r.doc, "current-health")?.status).toBe("fail");
    // What does not need the service still passes.
    for (const name of ["build", "backup-age", "snapshot-verify", "tools", "artifact", "git"]) {
      expect(byName(r.doc, name)?.status, name).toBe("pass");
    }

    const human = await run(["--env-file", ".env.gate", "gate", "release"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/FAILED/);
    expect(human.stdout).toContain(`GET ${ws.baseUrl}/version: connection refused`);
  });

  it("records each run: its evidence document's hash is in the ledger and audit verify passes", async () => {
    const failed = await json(["--env-file", ".env.gate", "gate", "release"]);
    const tail = await json(["audit", "tail", "-n", "50"]);
    const gateEntries = tail.doc.entries.filter((e: { kind: string }) => e.kind === "gate.run");
    const hashes = gateEntries.map((e: { evidenceHash: string }) => e.evidenceHash);
    expect(hashes).toContain(passedHash);
    expect(hashes).toContain(failed.doc.evidenceHash);
    const entry = gateEntries.find(
      (e: { evidenceHash: string }) => e.evidenceHash === failed.doc.evidenceHash,
    );
    expect(entry).toMatchObject({
      subject: "release",
      data: { gateRunId: failed.doc.id, passed: false },
    });
    expect(entry.data.failed).toEqual(expect.arrayContaining(["http", "endpoints"]));

    const evidence = JSON.parse(await readFile(evidenceFile(failed.doc.evidenceHash), "utf8"));
    expect(evidence).toMatchObject({
      format: "shipsafe-gate-run/1",
      service: "demo-orders",
      gate: "release",
      source: "config",
      run: { id: failed.doc.id, passed: false },
      tools: { node: process.version, shipsafe: "0.1.0", git: expect.stringMatching(/^\d+\.\d+/) },
      configHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(evidence.run.checks).toHaveLength(10);

    const verify = await run(["audit", "verify"]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it("skips named checks and records that they were skipped", async () => {
    const r = await json([
      "--env-file",
      ".env.gate",
      "gate",
      "release",
      "--skip",
      "http,endpoints",
      "--skip",
      "current-health",
    ]);
    expect(r.code).toBe(0);
    expect(r.doc.checks).toHaveLength(7);
    expect(r.doc.skipped.map((s: { name: string }) => s.name)).toEqual([
      "http",
      "endpoints",
      "current-health",
    ]);
    const unknown = await run(["--env-file", ".env.gate", "gate", "release", "--skip", "htp"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error\[GATE_SKIP_UNKNOWN\].*htp/);
    expect(unknown.stderr).toMatch(/did you mean --skip http\?/);
  });

  it("host verify checks the host; --skip-endpoints leaves out what needs the service", async () => {
    const before = await json(["--env-file", ".env.gate", "host", "verify", "--skip-endpoints"]);
    expect(before.code, JSON.stringify(before.doc)).toBe(0);
    expect(before.doc.gate).toBe("host");
    expect(before.doc.checks.map((c: CheckDoc) => c.name)).toEqual([
      "tools",
      "disk-space",
      "migrations",
    ]);
    // The running release's migrations are all applied.
    expect(byName(before.doc, "migrations")?.status).toBe("pass");
    expect(before.doc.skipped).toEqual([
      { name: "endpoints", reason: "--skip-endpoints: the service may not run yet" },
    ]);
    const down = await json(["--env-file", ".env.gate", "host", "verify"]);
    expect(down.code).toBe(1);
    expect(byName(down.doc, "endpoints")?.diagnostics[0]).toBe(
      `GET ${ws.baseUrl}/health/live: connection refused`,
    );
  });

  it("never lets the env-file secret out: output, evidence, store and logs show it masked", async () => {
    const stateDir = join(ws.dir, ".shipsafe");
    const forms = [SECRET, Buffer.from(SECRET).toString("base64")];
    for (const r of runs) {
      for (const form of forms) {
        expect(r.stdout).not.toContain(form);
        expect(r.stderr).not.toContain(form);
      }
    }
    let files = 0;
    for await (const file of walk(stateDir)) {
      if (!(await stat(file)).isFile()) continue;
      files += 1;
      const bytes = await readFile(file);
      for (const form of forms) expect(bytes.includes(Buffer.from(form)), file).toBe(false);
    }
    expect(files).toBeGreaterThan(3);
    const evidence = JSON.parse(await readFile(evidenceFile(passedHash), "utf8"));
    const build = evidence.run.checks.find((c: CheckDoc) => c.name === "build");
    expect(build.details.outputTail).toBe("built with ***");
  });
});

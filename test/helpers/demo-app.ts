import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

export const DEMO_APP_DIR = resolve(import.meta.dirname, "../../examples/demo-app");
export const NODE_MODULES = resolve(import.meta.dirname, "../../node_modules");

export interface DemoProcess {
  readonly version: string;
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly output: () => string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs one demo release on a free loopback port against `dbPath`, and waits until it is ready. */
export async function startDemoRelease(
  version: string,
  dbPath: string,
  env: Record<string, string> = {},
): Promise<DemoProcess> {
  const child = spawnDemo(version, dbPath, env);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const port = await new Promise<number>((found, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`demo ${version} did not listen: ${output}`)),
      10_000,
    );
    const check = () => {
      const match = /"event":"listening".*?"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        found(Number(match[1]));
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`demo ${version} exited with ${code}: ${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const demo: DemoProcess = {
    version,
    pid: child.pid as number,
    url,
    output: () => output,
    exited,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await fetch(`${url}/health/ready`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return demo;
    const code = await Promise.race([
      exited,
      new Promise((wait) => setTimeout(wait, 50, "running")),
    ]);
    if (code !== "running") throw new Error(`demo ${version} exited with ${code}: ${output}`);
    if (Date.now() > deadline) {
      await demo.stop();
      throw new Error(`demo ${version} never became ready: ${output}`);
    }
  }
}

/** Spawns a demo release without waiting for anything. */
export function spawnDemo(
  version: string,
  dbPath: string,
  env: Record<string, string | undefined> = {},
): ChildProcess {
  return spawn(process.execPath, [resolve(DEMO_APP_DIR, "releases", version, "server.mjs")], {
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      DEMO_DB: dbPath,
      SHIPSAFE_NODE_MODULES: NODE_MODULES,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Kills the service a workspace's local target started (its process group, from
 * `deploy/run/service.pid`) and, given `baseUrl`, waits until it stops answering.
 */
export async function stopDeployedService(workspaceDir: string, baseUrl?: string): Promise<void> {
  const pid = await readFile(join(workspaceDir, "deploy", "run", "service.pid"), "utf8").then(
    (t) => JSON.parse(t).pid as number,
    () => 0,
  );
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
  if (baseUrl === undefined) return;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${baseUrl}/health/live`).then(
      () => true,
      () => false,
    );
    if (!up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The shipsafe checkout/package root (dist/demo/… → ../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEMO_APP = join(PACKAGE_ROOT, "examples", "demo-app");

export interface DemoWorkspace {
  readonly dir: string;
  readonly configFile: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly database: string;
  /** Release sources: version → directory. */
  readonly sources: Readonly<Record<string, string>>;
}

/** A free loopback port (the OS picks it; released before the service binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A throwaway workspace: the demo app's two releases and a shipsafe.yaml for them. */
export async function createDemoWorkspace(parent = tmpdir()): Promise<DemoWorkspace> {
  const dir = await mkdtemp(join(parent, "shipsafe-demo-"));
  const port = await freePort();
  const sources: Record<string, string> = {};
  for (const version of ["1.0.0", "2.0.0"]) {
    sources[version] = join(dir, "src", version);
    await cp(join(DEMO_APP, "releases", version), sources[version], { recursive: true });
  }
  await mkdir(join(dir, "data"), { recursive: true });
  const database = join(dir, "data", "orders.db");
  const baseUrl = `http://127.0.0.1:${port}`;
  const configFile = join(dir, "shipsafe.yaml");
  await writeFile(
    configFile,
    `# Written by "shipsafe demo": the demo app on a local target, its SQLite state protected.
version: 1
service: demo-orders
environments:
  demo:
    target:
      kind: local
      root: ./deploy
      start: [${JSON.stringify(process.execPath)}, server.mjs]
      stopGrace: 5s
      readyTimeout: 20s
      env:
        PORT: "${port}"
        DEMO_DB: ${JSON.stringify(database)}
        SHIPSAFE_NODE_MODULES: ${JSON.stringify(join(PACKAGE_ROOT, "node_modules"))}
    health:
      live: ${baseUrl}/health/live
      ready: ${baseUrl}/health/ready
      timeout: 2s
      interval: 100ms
      successes: 1
    state:
      - { name: orders, kind: sqlite, path: ./data/orders.db }
    migrations:
      kind: sql-dir
      dir: migrations
      waivers:
        - migration: 0002_discounts
          by: shipsafe-demo
          reason: the demo's bad release; its rollback is the Type 3 by restore the demo shows
          at: "2026-11-24"
    metrics: { source: scrape, url: "${baseUrl}/metrics" }
    policy: { autoRollback: true }
`,
  );
  return { dir, configFile, port, baseUrl, database, sources };
}

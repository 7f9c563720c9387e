// Runs one demo-app release on a free loopback port, as test/helpers/demo-app.ts does for the
// tests (that helper is TypeScript; the benchmarks are plain ESM against dist/).
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
export const DEMO_APP_DIR = resolve(ROOT, "examples/demo-app");

/** Starts `releases/<version>/server.mjs` against `dbPath` and resolves once it answers ready. */
export async function startDemoRelease(version, dbPath) {
  const child = spawn(
    process.execPath,
    [resolve(DEMO_APP_DIR, "releases", version, "server.mjs")],
    {
      env: {
        PATH: process.env.PATH,
        PORT: "0",
        DEMO_DB: dbPath,
        SHIPSAFE_NODE_MODULES: resolve(ROOT, "node_modules"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  // Keep only the head of the output: the fault controller makes the app log every change.
  let output = "";
  const keep = (chunk) => {
    if (output.length < 4096) output += chunk.toString();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((done) => child.once("exit", (code) => done(code)));
  const port = await new Promise((found, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`demo ${version} did not listen: ${output}`)),
      10_000,
    );
    const check = () => {
      const match = /"event":"listening".*?"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off("data", check);
        found(Number(match[1]));
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`demo ${version} exited with ${code}: ${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const release = {
    version,
    pid: child.pid,
    url,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await fetch(`${url}/health/ready`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return release;
    if (child.exitCode !== null || Date.now() > deadline) {
      await release.stop();
      throw new Error(`demo ${version} never became ready: ${output}`);
    }
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

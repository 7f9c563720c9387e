import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const SECRET = "canary-7f3a";
const FORMS = [SECRET, encodeURIComponent(SECRET), Buffer.from(SECRET).toString("base64")];

const CONFIG = `version: 1
service: shop
environments:
  production:
    target:
      kind: local
      root: ./target
      start: [node, server.js]
    health:
      ready: http://127.0.0.1:8080/health/ready
    state:
      - name: main
        kind: postgres
        url: postgres://shop:\${DB_PASSWORD}@127.0.0.1:5432/shop
`;

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

describe("a secret from an env file never leaves the process", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const runs: Array<{ args: string[]; run: CliRun }> = [];
  const run = async (args: string[], env?: Record<string, string>) => {
    const result = await shipsafe(args, env ? { cwd: dir, env } : { cwd: dir });
    runs.push({ args, run: result });
    return result;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    await writeFile(join(dir, ".env.prod"), `DB_PASSWORD=${SECRET}\nAPI_TOKEN=tok-${SECRET}\n`);
    const e = ["--env-file", ".env.prod"];
    expect((await run([...e, "config", "check"])).code).toBe(0);
    expect((await run([...e, "config", "show"])).code).toBe(0);
    expect((await run([...e, "--json", "config", "show", "--env", "production"])).code).toBe(0);
    // An operator pasting the secret into a note: recorded, but redacted before it is hashed.
    expect(
      (await run([...e, "audit", "note", "--env", "production", `pw is ${SECRET}`])).code,
    ).toBe(0);
    expect((await run([...e, "lock", "hold", "--env", "production", "--for", "10ms"])).code).toBe(
      0,
    );
    expect((await run([...e, "audit", "tail", "-n", "10"])).code).toBe(0);
    expect((await run([...e, "--json", "audit", "tail"])).code).toBe(0);
    expect((await run([...e, "audit", "export", "--format", "jsonl"])).code).toBe(0);
    expect((await run([...e, "audit", "verify"])).code).toBe(0);
    // A config error whose value comes from the env file must not echo it.
    await writeFile(
      join(dir, "bad.yaml"),
      CONFIG.replace("service: shop", "service: shop\nactor: [${DB_PASSWORD}]"),
    );
    expect((await run([...e, "--config", "bad.yaml", "config", "check"])).code).toBe(2);
    expect((await run([...e, "--config", "bad.yaml", "--json", "config", "check"])).code).toBe(2);
  });
  afterAll(() => cleanup());

  it("shows *** where the secret was", () => {
    const show = runs.find((r) => r.args.includes("show"));
    expect(show?.run.stdout).toMatch(/postgres:\/\/shop:\*\*\*@127\.0\.0\.1/);
  });

  it("appears in no stdout or stderr of any command", () => {
    for (const { args, run: r } of runs) {
      for (const form of FORMS) {
        expect(r.stdout, `stdout of ${args.join(" ")}`).not.toContain(form);
        expect(r.stderr, `stderr of ${args.join(" ")}`).not.toContain(form);
      }
    }
  });

  it("appears in no file of the state dir (database, WAL, ledger, evidence, logs, keys)", async () => {
    const stateDir = join(dir, ".shipsafe");
    let files = 0;
    for await (const file of walk(stateDir)) {
      if (!(await stat(file)).isFile()) continue;
      files += 1;
      const bytes = await readFile(file);
      for (const form of FORMS) {
        expect(bytes.includes(Buffer.from(form)), `${form} found in ${file}`).toBe(false);
      }
    }
    expect(files).toBeGreaterThan(2);
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const CONFIG = `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
    state:
      - { name: main, kind: sqlite, path: ./data/app.db }
    migrations: { kind: sql-dir, dir: migrations }
`;

describe("shipsafe migrate (built CLI, sql-dir on a real SQLite file)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const run = (...args: string[]): Promise<CliRun> => shipsafe(args, { cwd: dir });
  const json = async (...args: string[]) => {
    const r = await run("--json", ...args);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  const columns = (): string[] => {
    const db = new Database(join(dir, "data", "app.db"), { readonly: true });
    try {
      return (
        db.prepare("SELECT name FROM pragma_table_info('orders')").all() as { name: string }[]
      ).map((c) => c.name);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-migrate-"));
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    await mkdir(join(dir, "data"));
    const src = join(dir, "src-1.0.0", "migrations");
    await mkdir(src, { recursive: true });
    await writeFile(join(dir, "src-1.0.0", "server.js"), "");
    await writeFile(join(src, "0001_init.up.sql"), "CREATE TABLE orders (id INTEGER PRIMARY KEY);");
    await writeFile(join(src, "0001_init.down.sql"), "DROP TABLE orders;");
    await writeFile(join(src, "0002_email.up.sql"), "ALTER TABLE orders ADD COLUMN email TEXT;");
    await writeFile(join(src, "0002_email.down.sql"), "ALTER TABLE orders DROP COLUMN email;");
    const added = await run("release", "add", "1.0.0", "--from", join(dir, "src-1.0.0"));
    expect(added.code, added.stderr).toBe(0);
  }, 60_000);
  afterAll(() => cleanup());

  it("status, up --dry-run, up, down --count, status again — as JSON", async () => {
    const before = await json("migrate", "status", "--release", "1.0.0");
    expect(before).toMatchObject({
      head: null,
      applied: [],
      pending: ["0001_init", "0002_email"],
      unknownApplied: [],
      lastAppliedAt: null,
      version: "1.0.0",
      source: "sql-dir",
    });

    const dry = await json("migrate", "up", "--release", "1.0.0", "--dry-run");
    expect(dry).toMatchObject({
      dryRun: true,
      ran: null,
      plan: { migrations: ["0001_init", "0002_email"], from: null, to: "0002_email" },
    });
    expect((await json("migrate", "status", "--release", "1.0.0")).head).toBeNull();

    const up = await json("migrate", "up", "--release", "1.0.0");
    expect(up.ran.map((m: { id: string }) => m.id)).toEqual(["0001_init", "0002_email"]);
    expect(up.head).toBe("0002_email");
    expect(columns()).toEqual(["id", "email"]);

    const down = await json("migrate", "down", "--release", "1.0.0", "--count", "1");
    expect(down).toMatchObject({ dryRun: false, head: "0001_init", plan: { direction: "down" } });
    expect(columns()).toEqual(["id"]);

    const after = await json("migrate", "status", "--release", "1.0.0");
    expect(after).toMatchObject({ head: "0001_init", pending: ["0002_email"] });
    expect(after.lastAppliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const tail = await run("--json", "audit", "tail");
    expect(tail.stdout).toContain("migration.up");
    expect(tail.stdout).toContain("migration.down");
  });

  it("prints the state for humans, and usage errors with exit 2", async () => {
    const human = await run("migrate", "status", "--release", "1.0.0");
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain("migrations of production against release 1.0.0 (sql-dir):");
    expect(human.stdout).toMatch(/head: +0001_init/);
    expect(human.stdout).toMatch(/pending: +0002_email/);

    const both = await run("migrate", "down", "--release", "1.0.0", "--count", "1", "--to", "x");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--count and --to cannot be used together");
    const tooMany = await run("migrate", "down", "--release", "1.0.0", "--count", "5");
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain("MIGRATION_DOWN_TOO_MANY");
    const noCurrent = await run("migrate", "status");
    expect(noCurrent.code).toBe(2);
    expect(noCurrent.stderr).toContain("NO_CURRENT_RELEASE");

    const twoDatabases = CONFIG.replace(
      "      - { name: main, kind: sqlite, path: ./data/app.db }\n",
      "      - { name: main, kind: sqlite, path: ./data/app.db }\n      - { name: jobs, kind: sqlite, path: ./data/jobs.db }\n",
    );
    await writeFile(join(dir, "shipsafe.yaml"), twoDatabases);
    try {
      const ambiguous = await run("migrate", "status", "--release", "1.0.0");
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toMatch(
        /MIGRATIONS_ASSET.*several: main \(sqlite\), jobs \(sqlite\)/,
      );
      await writeFile(join(dir, "shipsafe.yaml"), CONFIG.replace("dir: migrations", "dir: ../up"));
      const outside = await run("migrate", "status", "--release", "1.0.0");
      expect(outside.code).toBe(2);
      expect(outside.stderr).toContain(
        'migrations.dir "../up" is not inside the release directory',
      );
    } finally {
      await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    }
  });
});

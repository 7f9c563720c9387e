import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../ports/progress.js";
import { execFileRunner } from "../../checks/process/run-process.js";
import {
  type CommandMigrationsOptions,
  createCommandMigrationRunner,
} from "./command-migration-runner.js";

const TOOL = resolve(import.meta.dirname, "../../../../test/helpers/mini-migrate.mjs");
const tool = (...args: string[]) => [process.execPath, TOOL, ...args];

describe("command migrations (a real migration tool: a node script over a SQLite file)", () => {
  let work: string;
  let n = 0;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "shipsafe-cmd-mig-"));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  const setup = async (
    migrations: Record<string, string>,
    options: Partial<CommandMigrationsOptions> = {},
  ) => {
    n += 1;
    const release = join(work, `release-${n}`);
    await mkdir(join(release, "migrations"), { recursive: true });
    for (const [name, text] of Object.entries(migrations)) {
      await writeFile(join(release, "migrations", name), text);
    }
    const dbFile = join(work, `app-${n}.db`);
    const runner = createCommandMigrationRunner({
      up: tool("up", "{to}"),
      down: tool("down", "{count}"),
      status: tool("status", "--json"),
      statusFormat: { kind: "json" },
      cwd: ".",
      timeoutMs: 30_000,
      env: { MINI_DB: dbFile },
      run: execFileRunner,
      ...options,
    });
    const columns = (): string[] => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return (
          db.prepare("SELECT name FROM pragma_table_info('orders')").all() as { name: string }[]
        ).map((c) => c.name);
      } finally {
        db.close();
      }
    };
    return { release, runner, columns };
  };
  const three = {
    "001_init.sql":
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT);\n-- down\nDROP TABLE orders;",
    "002_email.sql":
      "ALTER TABLE orders ADD COLUMN email TEXT;\n-- down\nALTER TABLE orders DROP COLUMN email;",
    "003_note.sql":
      "ALTER TABLE orders ADD COLUMN note TEXT;\n-- down\nALTER TABLE orders DROP COLUMN note;",
  };

  it("reads JSON status, applies up to a target and all, reverts to a target, and says what moved", async () => {
    const { release, runner, columns } = await setup(three);
    expect(await runner.status(release)).toEqual({
      head: null,
      applied: [],
      pending: ["001_init", "002_email", "003_note"],
      unknownApplied: [],
      lastAppliedAt: null,
    });
    const first = await runner.up(release, { to: "002_email" });
    expect(first.migrations.map((m) => m.id)).toEqual(["001_init", "002_email"]);
    expect(first.head).toBe("002_email");
    const events: ProgressEvent[] = [];
    const rest = await runner.up(release, { progress: { report: (e) => events.push(e) } });
    expect(rest.migrations.map((m) => m.id)).toEqual(["003_note"]);
    expect(events.at(-1)).toMatchObject({
      step: "migrate up",
      status: "succeeded",
      detail: "003_note",
    });
    expect(columns()).toEqual(["id", "item", "email", "note"]);
    const state = await runner.status(release);
    expect(state.head).toBe("003_note");
    expect(state.lastAppliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const down = await runner.down(release, { to: "001_init" });
    expect(down.migrations.map((m) => m.id)).toEqual(["003_note", "002_email"]);
    expect(down.head).toBe("001_init");
    expect(columns()).toEqual(["id", "item"]);
    expect(await runner.sql(release, "001_init")).toBeNull();
  });

  it("reads text status through the configured pattern; lists applied migrations the release does not ship", async () => {
    const { release, runner } = await setup(three, {
      status: tool("status"),
      statusFormat: {
        kind: "text",
        pattern: "^(?<id>\\d+_\\w+)\\s+(?<state>applied|pending)(?:\\s+(?<appliedAt>\\S+))?$",
        appliedState: "applied",
      },
    });
    await runner.up(release);
    expect(await runner.list(release)).toEqual([
      { id: "001_init", name: "001_init", hasDown: true },
      { id: "002_email", name: "002_email", hasDown: true },
      { id: "003_note", name: "003_note", hasDown: true },
    ]);
    const state = await runner.status(release);
    expect(state.head).toBe("003_note");
    expect(state.applied[0]?.appliedAt).toMatch(/^\d{4}-/);

    // An older release shipping two of the three: the JSON status marks the third shipped: false.
    const older = join(release, "..", "older");
    await mkdir(join(older, "migrations"), { recursive: true });
    for (const id of ["001_init", "002_email"] as const) {
      await writeFile(join(older, "migrations", `${id}.sql`), three[`${id}.sql`]);
    }
    const json = createCommandMigrationRunner({
      up: tool("up"),
      down: tool("down", "{count}"),
      status: tool("status", "--json"),
      statusFormat: { kind: "json" },
      cwd: ".",
      timeoutMs: 30_000,
      env: { MINI_DB: join(work, `app-${n}.db`) },
      run: execFileRunner,
    });
    expect(await json.status(older)).toMatchObject({
      head: "003_note",
      pending: [],
      unknownApplied: ["003_note"],
    });
  });

  it("turns a failing tool into an error with its exit code and stderr; a tool without placeholders is refused for --to", async () => {
    const { release, runner, columns } = await setup({
      ...three,
      "004_broken.sql": "ALTER TABLE no_such_table ADD COLUMN x TEXT;",
    });
    await expect(runner.up(release)).rejects.toMatchObject({
      code: "MIGRATION_COMMAND_FAILED",
      message: expect.stringMatching(
        /failed in .*: exit 1 — mini-migrate: 004_broken failed: no such table: no_such_table/,
      ),
    });
    expect(columns()).toEqual(["id", "item", "email", "note"]);
    expect((await runner.status(release)).pending).toEqual(["004_broken"]);

    const noTarget = createCommandMigrationRunner({
      up: tool("up"),
      down: tool("down", "1"),
      status: tool("status", "--json"),
      statusFormat: { kind: "json" },
      cwd: ".",
      timeoutMs: 30_000,
      env: { MINI_DB: join(work, `app-${n}.db`) },
      run: execFileRunner,
    });
    await expect(noTarget.up(release, { to: "004_broken" })).rejects.toMatchObject({
      code: "MIGRATION_COMMAND_PLACEHOLDER",
    });
    // No placeholder in down: it reverts one per run, so it runs twice for a count of 2.
    const down = await noTarget.down(release, { count: 2 });
    expect(down.migrations.map((m) => m.id)).toEqual(["003_note", "002_email"]);
  });

  it("refuses status output it cannot read, naming the command", async () => {
    const { release, runner } = await setup(three, { status: tool("status") });
    await expect(runner.status(release)).rejects.toMatchObject({
      code: "MIGRATION_STATUS_UNREADABLE",
      message: expect.stringContaining("its output is not JSON: mini-migrate status"),
    });
  });
});

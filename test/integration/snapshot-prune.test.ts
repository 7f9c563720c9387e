import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

describe("snapshot prune (built CLI, content-addressed store)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const json = async (args: string[]) => {
    const r = await shipsafe(["--json", ...args], { cwd: dir });
    return { code: r.code, doc: JSON.parse(r.stdout || "null"), stderr: r.stderr };
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, "data"));
    await writeFile(
      join(dir, "shipsafe.yaml"),
      `version: 1
service: shop
environments:
  production:
    target: { kind: local, root: ./deploy, start: [node, server.js] }
    state:
      - { name: data, kind: files, paths: [./data] }
`,
    );
    for (let i = 0; i < 4; i++) {
      // Each snapshot has 1 MiB of data of its own, so removing one frees real bytes.
      await writeFile(join(dir, "data", "f.bin"), randomBytes(1 << 20));
      const r = await json(["snapshot", "create", "--reason", `s${i}`]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(() => cleanup());

  it("a dry run lists what would go and changes nothing", async () => {
    const r = await json(["snapshot", "prune", "--keep-last", "2", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.decisions.filter((d: { keep: boolean }) => !d.keep)).toHaveLength(2);
    expect((await json(["snapshot", "list"])).doc.snapshots).toHaveLength(4);
  });

  it("keeps the newest N, frees the data only the others used, and the rest still verify", async () => {
    const before = (await json(["snapshot", "list"])).doc.snapshots as { id: string }[];
    const r = await json(["snapshot", "prune", "--keep-last", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.removed).toEqual([before[2]?.id, before[3]?.id]);
    expect(r.doc.bytesFreed).toBeGreaterThan(0);
    const after = (await json(["snapshot", "list"])).doc.snapshots as { id: string }[];
    expect(after.map((s) => s.id)).toEqual([before[0]?.id, before[1]?.id]);
    for (const s of after) expect((await json(["snapshot", "verify", s.id])).code).toBe(0);
    const tail = (await json(["audit", "tail", "-n", "1"])).doc.entries;
    expect(tail[0]).toMatchObject({ kind: "snapshot.pruned" });
  });

  it("without any keep rule nothing is removed", async () => {
    const r = await json(["snapshot", "prune"]);
    expect(r.code).toBe(0);
    expect(r.doc.removed).toEqual([]);
  });
});

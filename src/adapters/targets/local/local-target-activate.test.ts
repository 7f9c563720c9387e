import { spawn } from "node:child_process";
import { mkdir, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalTarget } from "./local-target.js";
import { rejection, removeDir, tempDir, writeTree } from "./local-target.test-support.js";

let work: string;
let root: string;

beforeEach(async () => {
  work = await tempDir();
  root = join(work, "deploy");
});
afterEach(async () => {
  await removeDir(work);
});

const target = () => createLocalTarget({ root, start: ["node", "server.js"], stopGrace: 1000 });

async function addVersions(...versions: string[]): Promise<void> {
  for (const version of versions) {
    const dir = join(work, `src-${version}`);
    await writeTree(dir, { VERSION: version });
    await target().addRelease(version, dir);
  }
}

/** Reads `link` in a tight loop in another process until `stopFile` appears; counts failures. */
function concurrentReader(link: string, stopFile: string) {
  const script = `
    const fs = require("node:fs");
    let reads = 0, missing = 0, other = 0;
    process.stdout.write("ready\\n");
    while (!fs.existsSync(${JSON.stringify(stopFile)})) {
      for (let i = 0; i < 100; i++) {
        try { fs.readlinkSync(${JSON.stringify(link)}); reads++; }
        catch (e) { if (e.code === "ENOENT") missing++; else other++; }
      }
    }
    process.stdout.write(JSON.stringify({ reads, missing, other }) + "\\n");`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8");
  const ready = new Promise<void>((resolve) =>
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      if (output.startsWith("ready\n")) resolve();
    }),
  );
  const result = new Promise<{ reads: number; missing: number; other: number }>((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(output.split("\n")[1] ?? ""))
        : reject(new Error(`reader exited ${code}`)),
    ),
  );
  return { ready, result };
}

describe("local target: the current link", () => {
  it("has no current release before the first activation", async () => {
    expect(await target().current()).toBeUndefined();
  });

  it("points current at releases/<version> with a relative link", async () => {
    await addVersions("1.0.0", "1.1.0");
    await target().activate("1.0.0");
    expect(await target().current()).toBe("1.0.0");
    expect(await readlink(join(root, "current"))).toBe("releases/1.0.0");
    await target().activate("1.1.0");
    expect(await target().current()).toBe("1.1.0");
  });

  it("switches atomically: a concurrent reader never sees the link missing", async () => {
    await addVersions("1.0.0", "2.0.0");
    await target().activate("1.0.0");
    const stopFile = join(work, "stop");
    const reader = concurrentReader(join(root, "current"), stopFile);
    await reader.ready;
    const t = target();
    for (let i = 0; i < 200; i++) await t.activate(i % 2 === 0 ? "2.0.0" : "1.0.0");
    await writeFile(stopFile, "");
    const counts = await reader.result;
    expect(counts.reads).toBeGreaterThan(0);
    expect(counts).toMatchObject({ missing: 0, other: 0 });
    expect(await t.current()).toBe("1.0.0");
    const leftovers = (await import("node:fs/promises")).readdir(root);
    expect((await leftovers).filter((name) => name.startsWith(".current-"))).toEqual([]);
  });

  it("refuses an unknown version and names the known ones", async () => {
    await addVersions("1.0.0", "1.1.0");
    await target().activate("1.0.0");
    const error = await rejection(target().activate("9.9.9"));
    expect(error).toMatchObject({ code: "VERSION_UNKNOWN", kind: "usage" });
    expect(error.message).toBe('unknown version "9.9.9" (known versions: 1.0.0, 1.1.0)');
    expect(await target().current()).toBe("1.0.0");
    expect((await rejection(target().activate("../../etc"))).code).toBe("VERSION_UNKNOWN");
    expect((await rejection(target().verifyRelease("9.9.9"))).code).toBe("VERSION_UNKNOWN");
  });

  it("reports a current path it did not create as CURRENT_LINK_INVALID", async () => {
    await mkdir(root, { recursive: true });
    await symlink("/tmp", join(root, "current"));
    expect(await rejection(target().current())).toMatchObject({
      code: "CURRENT_LINK_INVALID",
      kind: "runtime",
    });
    await removeDir(join(root, "current"));
    await mkdir(join(root, "current"));
    expect((await rejection(target().current())).message).toContain("is not a symlink");
    await addVersions("1.0.0");
    expect((await rejection(target().activate("1.0.0"))).code).toBe("CURRENT_LINK_INVALID");
  });
});

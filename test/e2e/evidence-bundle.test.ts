import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { framedGzip } from "../../src/adapters/evidence-bundle/gzip-frame.js";
import { createTarGzEvidenceBundles } from "../../src/adapters/evidence-bundle/tar-gz-evidence-bundles.js";
import type { BundleFile, BundleManifest } from "../../src/domain/evidence-bundle/bundle-format.js";
import { sha256Hex } from "../../src/domain/evidence-bundle/bundle-format.js";
import { BROKEN_FILE_GATE_CONFIG } from "../helpers/broken-file-gate.js";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const CONFIG = BROKEN_FILE_GATE_CONFIG;

describe("shipsafe evidence bundle / verify (built CLI, verified offline elsewhere)", () => {
  let dir: string;
  let away: string;
  let home: string;
  const cleanups: Array<() => Promise<void>> = [];
  let bundle: string;
  const bundles = createTarGzEvidenceBundles();
  const run = (args: string[], cwd = dir): Promise<CliRun> =>
    shipsafe(args, { cwd, env: { HOME: home } });
  /** `evidence verify` run from a directory with no config and no state dir. */
  const verifyAway = async (name: string, extra: string[] = []) => {
    const human = await run(["evidence", "verify", name, ...extra], away);
    const json = await run(["--json", "evidence", "verify", name, ...extra], away);
    expect(json.code).toBe(human.code);
    return {
      code: human.code,
      stdout: human.stdout,
      stderr: human.stderr,
      doc: JSON.parse(json.stdout || "null"),
    };
  };
  /** Writes a variant of the bundle into the offline directory. */
  const variant = async (name: string, bytes: Buffer): Promise<string> => {
    await writeFile(join(away, name), bytes);
    return name;
  };
  const rewritten = async (name: string, edit: (files: BundleFile[]) => BundleFile[]) => {
    const { files, mtime } = await bundles.read(bundle);
    await bundles.write(join(away, name), edit([...files]), new Date(mtime * 1000).toISOString());
    return name;
  };

  beforeAll(async () => {
    for (const prefix of ["shipsafe-bundle-src-", "shipsafe-bundle-away-", "shipsafe-home-"]) {
      const t = await tempDir(prefix);
      cleanups.push(t.cleanup);
      if (prefix.includes("src")) dir = t.dir;
      else if (prefix.includes("away")) away = t.dir;
      else home = t.dir;
    }
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    expect((await run(["audit", "note", "--env", "production", "before the window"])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    expect((await run(["gate", "release"])).code).toBe(0);
    await writeFile(join(dir, "BROKEN"), "1");
    expect((await run(["gate", "release"])).code).toBe(1);
    expect((await run(["audit", "note", "--env", "production", "after the gates"])).code).toBe(0);
    const made = await run([
      "--json",
      "evidence",
      "bundle",
      "--since",
      since,
      "--out",
      "bundle.tar.gz",
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({
      fromSeq: 2,
      toSeq: 4,
      entries: 3,
      evidence: 2,
      unsealed: 0,
    });
    bundle = join(dir, "bundle.tar.gz");
    const key = JSON.parse((await run(["--json", "audit", "key"])).stdout);
    await writeFile(join(away, "key.pem"), key.publicKeyPem);
    await copyFile(bundle, join(away, "bundle.tar.gz"));
  }, 60_000);
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("verifies an untouched bundle on a machine without the state dir, pinned to the exported key", async () => {
    const r = await verifyAway("bundle.tar.gz", ["--key", "key.pem"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: .*bundle\.tar\.gz verified offline/);
    expect(r.stdout).toMatch(
      /entries 2\.\.4 \(3\); entry 2's prevHash [0-9a-f]{64} is taken as given/,
    );
    expect(r.stdout).toContain("the bundled key is the one given with --key");
    expect(r.doc).toMatchObject({ ok: true, keyPinned: true, evidence: 2, problems: [] });
    const summary = JSON.parse(
      gunzipSync(await readFile(bundle))
        .toString("latin1")
        .match(/\{\n {2}"format": "shipsafe-bundle-gate-summary\/1"[\s\S]*?\n\}\n/)?.[0] ?? "{}",
    );
    expect(summary.gates).toEqual([
      expect.objectContaining({ gate: "release", runs: 2, passed: 1, failed: 1 }),
    ]);
    // Unpinned, it still verifies and says the key is not pinned.
    const unpinned = await verifyAway("bundle.tar.gz");
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toContain("not pinned");
  });

  it("fails one byte changed inside a file of the tar, naming the file", async () => {
    const tar = gunzipSync(await readFile(bundle));
    const at = tar.indexOf('"kind":"gate.run"');
    tar[at + 9] = "G".charCodeAt(0);
    const r = await verifyAway(await variant("tar-byte.tar.gz", framedGzip(gzipSync(tar))));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: /);
    expect(r.stdout).toMatch(
      /- checksum: ledger\/entries\.jsonl: \d+ bytes with sha256 [0-9a-f]{64}; the manifest says/,
    );
    expect(r.stdout).toContain("- chain: entry");
  });

  it("fails one byte changed in the gzip stream", async () => {
    const bytes = await readFile(bundle);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x10;
    const r = await verifyAway(await variant("gzip-byte.tar.gz", bytes));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /- archive: <gzip body> \(gzip-digest\): bundle .* rejected: <gzip body> breaks rule gzip-digest/,
    );
  });

  it("fails a removed evidence document", async () => {
    const name = await rewritten("no-evidence.tar.gz", (files) => {
      const first = files.findIndex((f) => f.path.startsWith("evidence/"));
      return files.filter((_, i) => i !== first);
    });
    const r = await verifyAway(name);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /- checksum: evidence\/[0-9a-f]{64}\.json: listed in the manifest, absent from the bundle/,
    );
    expect(r.stdout).toMatch(
      /- evidence: evidence\/[0-9a-f]{64}\.json: entry \d+ references it; it is not in the bundle/,
    );
  });

  it("fails a ledger entry edited with its checksum recomputed in the manifest (signature, chain)", async () => {
    const name = await rewritten("edited.tar.gz", (files) => {
      const entries = files.find((f) => f.path === "ledger/entries.jsonl") as BundleFile;
      const content = Buffer.from(
        entries.content.toString("utf8").replace('"passed":false', '"passed":true'),
      );
      const manifest = JSON.parse(
        (files[0] as BundleFile).content.toString("utf8"),
      ) as BundleManifest;
      const patched = {
        ...manifest,
        files: manifest.files.map((f) =>
          f.path === entries.path ? { ...f, size: content.length, sha256: sha256Hex(content) } : f,
        ),
      };
      return files.map((f) =>
        f === entries
          ? { path: f.path, content }
          : f === files[0]
            ? { path: f.path, content: Buffer.from(`${JSON.stringify(patched, null, 2)}\n`) }
            : f,
      );
    });
    const r = await verifyAway(name);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "- signature: manifest.json: the manifest's signature does not verify with the bundled public key",
    );
    expect(r.stdout).toMatch(
      /- chain: entry 3: its content does not match its hash \(hash-mismatch\)/,
    );
    expect(r.stdout).toContain(
      "- gate-summary: gate-summary.json: does not match the gate runs of the excerpt",
    );
  });

  it("fails a bundle whose key is not the pinned one; usage errors exit 2", async () => {
    const other = await tempDir("shipsafe-other-");
    cleanups.push(other.cleanup);
    await writeFile(join(other.dir, "shipsafe.yaml"), CONFIG);
    const key = JSON.parse((await run(["--json", "audit", "key"], other.dir)).stdout);
    await writeFile(join(away, "other.pem"), key.publicKeyPem);
    const r = await verifyAway("bundle.tar.gz", ["--key", "other.pem"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /- key: public-key\.pem: the bundled key [0-9a-f]{64} is not the pinned key/,
    );

    const missing = await run(["evidence", "verify", "nope.tar.gz"], away);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /error\[BUNDLE_NOT_FOUND\]: cannot read the bundle .*nope\.tar\.gz: ENOENT/,
    );
    const noKey = await run(["evidence", "verify", "bundle.tar.gz", "--key", "nope.pem"], away);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("error[KEY_FILE_NOT_FOUND]");
    const nothing = await run(["evidence", "bundle", "--since", "9.9.9", "--out", "x.tar.gz"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(
      /error\[NOTHING_TO_BUNDLE\]: no signed ledger entry names release 9\.9\.9/,
    );
    const noState = await run(["evidence", "bundle", "--since", "1h", "--out", "x.tar.gz"], away);
    expect(noState.code).toBe(2);
    expect(noState.stderr).toContain("error[STATE_NOT_FOUND]");
  });
});

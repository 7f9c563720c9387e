import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealLedger } from "../../../app/audit/seal-ledger.js";
import { verifyLedger } from "../../../app/audit/verify-ledger.js";
import { systemClock } from "../../../ports/clock.js";
import { openEd25519Signer } from "../../signer/ed25519/ed25519-signer.js";
import { openSqliteStore } from "./sqlite-store.js";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../../..");
const WORKERS = 4;
const APPENDS = 200;

// Real processes, real file: the adapter and the domain are compiled (only the files the worker
// needs, so others' work in progress cannot break this test) into node_modules/.cache, where
// `better-sqlite3` resolves from the project's node_modules.
const WORKER = `
import { openSqliteStore } from "./out/adapters/store/sqlite/sqlite-store.js";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nextLedgerEntry } from "./out/domain/ledger/next-ledger-entry.js";
const [stateDir, name, count, signalDir] = process.argv.slice(2);
const store = await openSqliteStore(stateDir);
writeFileSync(join(signalDir, \`ready-\${name}\`), "");
while (!existsSync(join(signalDir, "go"))) await new Promise((r) => setTimeout(r, 2));
for (let i = 0; i < Number(count); i++) {
  const input = { actor: name, env: "prod", kind: "load.append", subject: name, data: { i } };
  await store.ledger.append((last) => nextLedgerEntry(last, input, new Date().toISOString()));
  // Real commands do other work between appends; without a pause one process can win the write
  // lock 200 times in a row while the others sleep in SQLite's busy handler.
  if (i % 5 === 0) await new Promise((r) => setTimeout(r, Math.random() * 3));
}
await store.close();
`;

describe("several processes appending to one state dir", () => {
  let buildDir: string;
  let stateDir: string;

  beforeAll(async () => {
    await mkdir(join(root, "node_modules/.cache"), { recursive: true });
    buildDir = await mkdtemp(join(root, "node_modules/.cache/shipsafe-ledger-"));
    stateDir = await mkdtemp(join(tmpdir(), "shipsafe-concurrent-"));
    const tsconfig = {
      extends: join(root, "tsconfig.json"),
      compilerOptions: {
        noEmit: false,
        rootDir: join(root, "src"),
        outDir: join(buildDir, "out"),
        sourceMap: false,
      },
      files: [
        join(root, "src/adapters/store/sqlite/sqlite-store.ts"),
        join(root, "src/domain/ledger/next-ledger-entry.ts"),
      ],
      include: [],
    };
    await writeFile(join(buildDir, "tsconfig.json"), JSON.stringify(tsconfig));
    await writeFile(join(buildDir, "package.json"), '{"type":"module"}');
    await writeFile(join(buildDir, "worker.mjs"), WORKER);
    await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", buildDir]);
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  it(`${WORKERS} processes x ${APPENDS} appends keep one intact chain`, async () => {
    // Every worker opens the fresh state dir (racing on its migrations), reports ready, and waits
    // for "go", so the appends really overlap.
    const signalDir = await mkdtemp(join(buildDir, "signal-"));
    const worker = pathToFileURL(join(buildDir, "worker.mjs")).pathname;
    const done = Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        run(process.execPath, [worker, stateDir, `w${w}`, String(APPENDS), signalDir]),
      ),
    );
    while ((await readdir(signalDir)).length < WORKERS) await sleep(10);
    await writeFile(join(signalDir, "go"), "");
    await done;

    const store = await openSqliteStore(stateDir);
    try {
      const signer = await openEd25519Signer(stateDir);
      await sealLedger({ ledger: store.ledger, signer, clock: systemClock });
      const result = await verifyLedger({ ledger: store.ledger, signer });
      expect(result).toMatchObject({ ok: true, entries: WORKERS * APPENDS });

      const seqs = new Set<number>();
      const perWorker = new Map<string, number[]>();
      for await (const entry of store.ledger.entries()) {
        seqs.add(entry.seq);
        perWorker.set(entry.actor, [...(perWorker.get(entry.actor) ?? []), entry.data.i as number]);
      }
      expect(seqs.size).toBe(WORKERS * APPENDS);
      for (const items of perWorker.values()) {
        expect(items).toEqual(Array.from({ length: APPENDS }, (_, i) => i));
      }
      // Appends really interleaved: the chain is not four solid blocks.
      const actors: string[] = [];
      for await (const entry of store.ledger.entries()) actors.push(entry.actor);
      const switches = actors.filter((a, i) => i > 0 && a !== actors[i - 1]).length;
      expect(switches).toBeGreaterThan(WORKERS - 1);
    } finally {
      await store.close();
    }
  });
});

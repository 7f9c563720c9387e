import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModule } from "../../../../test/helpers/built-module.js";
import { sealLedger } from "../../../app/audit/seal-ledger.js";
import { verifyLedger } from "../../../app/audit/verify-ledger.js";
import { systemClock } from "../../../ports/clock.js";
import { openEd25519Signer } from "../../signer/ed25519/ed25519-signer.js";
import { openSqliteStore } from "./sqlite-store.js";

const run = promisify(execFile);
const WORKERS = 4;
const APPENDS = 200;

// Real processes, real file: the workers run the built adapter (dist/, built by the global setup).
const worker = (store: string, nextEntry: string) => `
import { openSqliteStore } from "${store}";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nextLedgerEntry } from "${nextEntry}";
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
    buildDir = await mkdtemp(join(tmpdir(), "shipsafe-ledger-workers-"));
    stateDir = await mkdtemp(join(tmpdir(), "shipsafe-concurrent-"));
    const source = worker(
      await builtModule("adapters/store/sqlite/sqlite-store.ts"),
      await builtModule("domain/ledger/next-ledger-entry.ts"),
    );
    await writeFile(join(buildDir, "worker.mjs"), source);
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  it(`${WORKERS} processes x ${APPENDS} appends keep one intact chain`, async () => {
    // Every worker opens the fresh state dir (racing on its migrations), reports ready, and waits
    // for "go", so the appends really overlap.
    const signalDir = await mkdtemp(join(buildDir, "signal-"));
    const workerFile = join(buildDir, "worker.mjs");
    const done = Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        run(process.execPath, [workerFile, stateDir, `w${w}`, String(APPENDS), signalDir]),
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

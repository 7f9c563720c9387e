// Benchmark: append N ledger entries to a fresh SQLite state dir, seal, then time `verifyLedger`
// against a named baseline run in the same process: `scan`, streaming the same entries out of the
// store without hashing or signature checks. The ratio verify/scan is the cost of verification.
// Runs against the build: `npm run build && node bench/ledger-verify.mjs [entries] [--keep]`
// (--keep leaves the state dir in place and prints it, to time `shipsafe audit verify` on it).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openEd25519Signer } from "../dist/adapters/signer/ed25519/ed25519-signer.js";
import { openSqliteStore } from "../dist/adapters/store/sqlite/sqlite-store.js";
import { sealLedger } from "../dist/app/audit/seal-ledger.js";
import { verifyLedger } from "../dist/app/audit/verify-ledger.js";
import { nextLedgerEntry } from "../dist/domain/ledger/next-ledger-entry.js";
import { systemClock } from "../dist/ports/clock.js";

const entries = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const keep = process.argv.includes("--keep");
const stateDir = await mkdtemp(join(tmpdir(), "shipsafe-bench-"));
try {
  const store = await openSqliteStore(stateDir);
  const signer = await openEd25519Signer(stateDir);

  // One BEGIN IMMEDIATE transaction per append, exactly as a CLI command records an action.
  const appendStart = performance.now();
  for (let i = 1; i <= entries; i++) {
    const input = {
      actor: "bench",
      env: "production",
      kind: "gate.check",
      subject: `v1.${i % 50}`,
      data: { i, check: "health", status: i % 10 === 0 ? "fail" : "pass", durationMs: i % 977 },
    };
    await store.ledger.append((last) => nextLedgerEntry(last, input, new Date().toISOString()));
  }
  const appendMs = performance.now() - appendStart;
  await sealLedger({ ledger: store.ledger, signer, clock: systemClock });

  const scanStart = performance.now();
  let scanned = 0;
  for await (const entry of store.ledger.entries()) scanned += entry.seq > 0 ? 1 : 0;
  const scanMs = performance.now() - scanStart;

  const verifyStart = performance.now();
  const result = await verifyLedger({ ledger: store.ledger, signer });
  const verifyMs = performance.now() - verifyStart;
  await store.close();

  if (!result.ok)
    throw new Error(`benchmark ledger failed verification: ${JSON.stringify(result)}`);
  console.log(
    JSON.stringify({
      entries,
      appendMs: Math.round(appendMs),
      appendsPerSecond: Math.round(entries / (appendMs / 1000)),
      verifyMs: Math.round(verifyMs),
      verifiedEntriesPerSecond: Math.round(entries / (verifyMs / 1000)),
      baselineScanMs: Math.round(scanMs),
      scanned,
      verifyOverScan: Number((verifyMs / scanMs).toFixed(2)),
      stateDir: keep ? stateDir : undefined,
      node: process.version,
    }),
  );
} finally {
  if (!keep) await rm(stateDir, { recursive: true, force: true });
}

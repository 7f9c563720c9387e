import { createHash, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isShipsafeError } from "../../../domain/errors.js";
import { openEd25519Signer, SIGNING_KEY_FILE } from "./ed25519-signer.js";

describe("openEd25519Signer", () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "shipsafe-signer-"));
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it("creates a private key 0600 in a 0700 keys dir and reuses it", async () => {
    const first = await openEd25519Signer(stateDir);
    expect((await stat(join(stateDir, "keys"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, "keys", SIGNING_KEY_FILE))).mode & 0o777).toBe(0o600);
    const again = await openEd25519Signer(stateDir);
    expect(again.keyId).toBe(first.keyId);
    expect(again.publicKeyPem()).toBe(first.publicKeyPem());
  });

  it("uses the sha256 of the DER SPKI public key as key id", async () => {
    const signer = await openEd25519Signer(stateDir);
    const der = createPublicKey(signer.publicKeyPem()).export({ type: "spki", format: "der" });
    expect(signer.keyId).toBe(createHash("sha256").update(der).digest("hex"));
  });

  it("verifies its own signatures and rejects altered messages, signatures and unknown keys", async () => {
    const signer = await openEd25519Signer(stateDir);
    const signature = signer.sign("hello");
    expect(signer.verify("hello", signature, signer.keyId)).toBe(true);
    expect(signer.verify("hellO", signature, signer.keyId)).toBe(false);
    expect(signer.verify("hello", `${signature.slice(0, -4)}AAA=`, signer.keyId)).toBe(false);
    expect(signer.verify("hello", "not base64!", signer.keyId)).toBe(false);
    expect(signer.verify("hello", signature, "0".repeat(64))).toBe(false);
  });

  it("gives every concurrent opener of a fresh state dir the same key", async () => {
    const signers = await Promise.all([1, 2, 3, 4].map(() => openEd25519Signer(stateDir)));
    expect(new Set(signers.map((s) => s.keyId)).size).toBe(1);
  });

  it("accepts signatures by public keys in keys/trusted/*.pem", async () => {
    const other = generateKeyPairSync("ed25519");
    await mkdir(join(stateDir, "keys", "trusted"), { recursive: true });
    const pem = other.publicKey.export({ type: "spki", format: "pem" }).toString();
    await writeFile(join(stateDir, "keys", "trusted", "old.pem"), pem);
    const signer = await openEd25519Signer(stateDir);
    const otherId = createHash("sha256")
      .update(other.publicKey.export({ type: "spki", format: "der" }))
      .digest("hex");
    const signature = sign(null, Buffer.from("m"), other.privateKey).toString("base64");
    expect(signer.verify("m", signature, otherId)).toBe(true);
    expect(signer.verify("m", signature, signer.keyId)).toBe(false);
  });

  it("refuses a corrupt key file with a clear error", async () => {
    await mkdir(join(stateDir, "keys"), { recursive: true });
    await writeFile(join(stateDir, "keys", SIGNING_KEY_FILE), "garbage");
    const error = await openEd25519Signer(stateDir).catch((e: unknown) => e);
    expect(isShipsafeError(error) && error.code).toBe("SIGNING_KEY_INVALID");
  });
});

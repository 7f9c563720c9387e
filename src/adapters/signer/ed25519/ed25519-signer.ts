import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { chmod, link, mkdir, readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { Signer } from "../../../ports/signer.js";

/** File names under `<stateDir>/keys/`. */
export const SIGNING_KEY_FILE = "ledger-signing-key.pem";
export const TRUSTED_KEYS_DIR = "trusted";

/** sha256 (hex) of the DER SPKI encoding of a public key. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

/**
 * The Ed25519 signer of the embedded default. The key pair is created on first use in
 * `<stateDir>/keys/` (directory 0700, private key 0600); public keys in `keys/trusted/*.pem` are
 * also accepted when verifying (e.g. a previous key after rotation).
 */
export async function openEd25519Signer(stateDir: string): Promise<Signer> {
  const keysDir = join(stateDir, "keys");
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await chmod(keysDir, 0o700);
  const privateKey = await loadOrCreatePrivateKey(join(keysDir, SIGNING_KEY_FILE));
  const publicKey = createPublicKey(privateKey);
  const keyId = publicKeyId(publicKey);
  const verifiers = new Map<string, KeyObject>(
    await loadTrustedKeys(join(keysDir, TRUSTED_KEYS_DIR)),
  );
  verifiers.set(keyId, publicKey);
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();

  return {
    keyId,
    sign: (message) => sign(null, Buffer.from(message, "utf8"), privateKey).toString("base64"),
    verify(message, signature, signerKeyId) {
      const key = verifiers.get(signerKeyId);
      if (!key) return false;
      const bytes = Buffer.from(signature, "base64");
      // Ed25519 signatures are 64 bytes; anything else is not a signature, not an error.
      if (bytes.length !== 64) return false;
      return verify(null, Buffer.from(message, "utf8"), key, bytes);
    },
    publicKeyPem: () => pem,
  };
}

async function loadOrCreatePrivateKey(file: string): Promise<KeyObject> {
  const existing = await readKey(file);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, pem, { mode: 0o600, flush: true });
  try {
    // link() never replaces an existing file: if another process created the key first, keep its
    // key (a rename would silently swap the key under that process's feet).
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(tmp);
  }
  const created = await readKey(file);
  if (!created) throw new Error(`signing key ${file} vanished right after it was written`);
  return created;
}

async function readKey(file: string): Promise<KeyObject | undefined> {
  let pem: string;
  try {
    pem = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ed25519")
      throw new Error(`not an Ed25519 key: ${key.asymmetricKeyType}`);
    return key;
  } catch (cause) {
    throw new ShipsafeError(
      {
        code: "SIGNING_KEY_INVALID",
        kind: "runtime",
        message: `the ledger signing key ${file} is not a readable Ed25519 private key`,
        hint: "restore the key file from backup; a new key cannot verify checkpoints the old one signed",
      },
      { cause },
    );
  }
}

async function loadTrustedKeys(dir: string): Promise<Array<[string, KeyObject]>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const keys: Array<[string, KeyObject]> = [];
  for (const name of names.filter((n) => n.endsWith(".pem")).sort()) {
    const file = join(dir, name);
    try {
      const key = createPublicKey(await readFile(file, "utf8"));
      if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 key");
      keys.push([publicKeyId(key), key]);
    } catch (cause) {
      throw new ShipsafeError(
        {
          code: "TRUSTED_KEY_INVALID",
          kind: "config",
          message: `${file} is not an Ed25519 public key in PEM (SPKI) form`,
          hint: `replace it with the output of "shipsafe audit key" from the signing host, or remove it`,
        },
        { cause },
      );
    }
  }
  return keys;
}

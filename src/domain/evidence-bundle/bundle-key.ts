import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";

/** A public Ed25519 key read from PEM: its id and a signature check (pure computation). */
export interface BundleKey {
  /** sha256 (hex) of the DER SPKI encoding, as `audit key` prints it. */
  readonly keyId: string;
  verify(message: string, signatureBase64: string): boolean;
}

/** Reads an Ed25519 public key in PEM (SPKI) form; returns the problem as text. */
export function bundleKeyFromPem(pem: string): BundleKey | string {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return "not a public key in PEM form";
  }
  if (key.asymmetricKeyType !== "ed25519") return `a ${key.asymmetricKeyType} key, not Ed25519`;
  const keyId = createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("hex");
  return {
    keyId,
    verify(message, signatureBase64) {
      const bytes = Buffer.from(signatureBase64, "base64");
      // Only the canonical encoding counts: node's decoder skips stray characters and spare bits.
      if (bytes.length !== 64 || bytes.toString("base64") !== signatureBase64) return false;
      return verify(null, Buffer.from(message, "utf8"), key, bytes);
    },
  };
}

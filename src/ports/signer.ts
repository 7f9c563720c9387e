/** Signs ledger checkpoints. The embedded default keeps an Ed25519 key in the state dir. */
export interface Signer {
  /** sha256 fingerprint (hex) of the public key. */
  readonly keyId: string;
  sign(message: string): string;
  /** Verifies a base64 signature made by the key with `keyId` (false for an unknown key). */
  verify(message: string, signature: string, keyId: string): boolean;
  /** The public key in PEM (SPKI) form, for auditors to pin. */
  publicKeyPem(): string;
}

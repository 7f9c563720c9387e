/**
 * A set of 32-byte chunk ids held as views (not copied: their buffers must not be reused while
 * they are in the set), for the few thousand ids on their way into a pack at any time. Keyed by
 * the id's first four bytes, which are uniformly distributed (ids are sha256 digests); ids sharing
 * them are told apart byte by byte.
 */
export class IdSet {
  readonly #buckets = new Map<number, Uint8Array[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(id: Uint8Array): boolean {
    const bucket = this.#buckets.get(keyOf(id));
    return bucket?.some((other) => sameId(other, id)) ?? false;
  }

  add(id: Uint8Array): void {
    const key = keyOf(id);
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) this.#buckets.set(key, [id]);
    else if (!bucket.some((other) => sameId(other, id))) bucket.push(id);
    else return;
    this.#size++;
  }

  delete(id: Uint8Array): void {
    const key = keyOf(id);
    const bucket = this.#buckets.get(key);
    const at = bucket?.findIndex((other) => sameId(other, id)) ?? -1;
    if (bucket === undefined || at < 0) return;
    if (bucket.length === 1) this.#buckets.delete(key);
    else bucket.splice(at, 1);
    this.#size--;
  }
}

function keyOf(id: Uint8Array): number {
  return (
    ((id[0] as number) | ((id[1] as number) << 8) | ((id[2] as number) << 16)) +
    (id[3] as number) * 0x1000000
  );
}

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { IdSet } from "./id-set.js";

const idOf = (n: number): Uint8Array => createHash("sha256").update(`chunk ${n}`).digest();

describe("IdSet", () => {
  it("holds ids by value, not by view, and forgets what is deleted", () => {
    const set = new IdSet();
    const ids = Array.from({ length: 500 }, (_, i) => idOf(i));
    for (const id of ids) set.add(id);
    set.add(Uint8Array.from(ids[7] as Uint8Array)); // the same bytes in another buffer
    expect(set.size).toBe(500);
    expect(ids.every((id) => set.has(Uint8Array.from(id)))).toBe(true);
    expect(set.has(idOf(500))).toBe(false);
    for (const id of ids.slice(0, 250)) set.delete(Uint8Array.from(id));
    set.delete(idOf(999)); // absent: nothing happens
    expect(set.size).toBe(250);
    expect(ids.map((id) => set.has(id))).toEqual(ids.map((_, i) => i >= 250));
  });

  it("tells apart ids that share their first four bytes", () => {
    const set = new IdSet();
    const a = idOf(1);
    const b = Uint8Array.from(a);
    b[31] = (b[31] as number) ^ 1;
    set.add(a);
    expect(set.has(b)).toBe(false);
    set.add(b);
    expect([set.has(a), set.has(b), set.size]).toEqual([true, true, 2]);
    set.delete(a);
    expect([set.has(a), set.has(b), set.size]).toEqual([false, true, 1]);
  });
});

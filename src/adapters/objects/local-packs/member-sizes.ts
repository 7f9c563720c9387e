/** A stored frame: kind byte, then the decoded length as u32 LE (see codec/blob-format.ts). */
const FRAME_HEADER_BYTES = 5;

/**
 * Each member's byte length in the decoded frame, for the pack trailer: up to where the next
 * member starts, the last one up to the frame's decoded length. `members` are in ascending
 * `within`, laid out back to back, as a frame writer adds them. The store never decodes, so it
 * does not check this: a size that would be negative (members out of order, or bytes that are not
 * a blob-format frame) is recorded as 0, and only a future rebuild from the packs would miss it.
 */
export function memberSizes(members: readonly { within: number }[], frame: Uint8Array): number[] {
  const decoded =
    frame.length < FRAME_HEADER_BYTES
      ? 0
      : new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES).getUint32(1, true);
  return members.map((member, i) =>
    Math.max(0, (members[i + 1]?.within ?? decoded) - member.within),
  );
}

/**
 * Follows the frames a WebSocket server sends (RFC 6455 §5.2) just far enough
 * to know where each one ends, so the gate can put its own Close frame
 * between two frames rather than inside one. Payloads are never copied or
 * decoded; extensions (permessage-deflate) do not change the framing.
 */
export function createFrameBoundaries() {
  const head = Buffer.alloc(14);
  let have = 0; // header bytes collected so far
  let need = 2; // header length, known once the second byte is in
  let left = 0; // payload bytes still to come in the current frame

  return {
    get atBoundary(): boolean {
      return have === 0 && left === 0;
    },
    /**
     * Walk over `chunk`. With `stopAtBoundary`, stop where the current frame
     * ends (0 when already between frames). Returns how many bytes were walked.
     */
    advance(chunk: Uint8Array, stopAtBoundary = false): number {
      let i = 0;
      while (i < chunk.length) {
        if (stopAtBoundary && have === 0 && left === 0) return i;
        if (left > 0) {
          const n = Math.min(left, chunk.length - i);
          left -= n;
          i += n;
          continue;
        }
        head[have++] = chunk[i++]!;
        if (have === 2) {
          const len7 = head[1]! & 0x7f;
          need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (head[1]! & 0x80 ? 4 : 0);
        }
        if (have >= 2 && have === need) {
          const len7 = head[1]! & 0x7f;
          left = len7 === 126 ? head.readUInt16BE(2) : len7 === 127 ? Number(head.readBigUInt64BE(2)) : len7;
          have = 0;
          need = 2;
        }
      }
      return i;
    },
  };
}

/** An unmasked Close frame, as a server sends it: status code and a short reason (RFC 6455 §5.5.1). */
export function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

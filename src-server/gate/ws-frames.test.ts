import { describe, expect, it } from 'vitest';
import { closeFrame, createFrameBoundaries } from './ws-frames.ts';

/** A frame as a server (unmasked) or a client (masked) would send it. */
function frame(payloadLength: number, masked = false): Buffer {
  const ext = payloadLength < 126 ? 0 : payloadLength < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  head[0] = 0x82;
  head[1] = (masked ? 0x80 : 0) | (ext === 0 ? payloadLength : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(payloadLength, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(payloadLength), 2);
  return Buffer.concat([head, Buffer.alloc(payloadLength, 1)]);
}

describe('WebSocket frame boundaries', () => {
  it('knows where frames end, whatever their length form, masked or not, however the bytes are split', () => {
    const stream = Buffer.concat([frame(0), frame(5), frame(200, true), frame(70_000), frame(125, true)]);
    for (const step of [1, 2, 3, 7, 13, 1000, stream.length]) {
      const b = createFrameBoundaries();
      let walked = 0;
      let boundaries = 0;
      for (let i = 0; i < stream.length; i += step) {
        walked += b.advance(stream.subarray(i, i + step));
        if (b.atBoundary) boundaries++;
      }
      expect(walked).toBe(stream.length);
      expect(b.atBoundary, `split every ${step} bytes`).toBe(true);
      if (step === 1) expect(boundaries).toBe(5); // one per frame end
    }
  });

  it('stops exactly at the end of the frame in flight when asked', () => {
    const b = createFrameBoundaries();
    const first = frame(300);
    const both = Buffer.concat([first, frame(10)]);
    expect(b.advance(both.subarray(0, 100))).toBe(100);
    expect(b.atBoundary).toBe(false);
    const rest = both.subarray(100);
    expect(b.advance(rest, true)).toBe(first.length - 100);
    expect(b.atBoundary).toBe(true);
    expect(b.advance(rest.subarray(first.length - 100), true)).toBe(0);
  });

  it('a header split mid-way is not a boundary', () => {
    const b = createFrameBoundaries();
    b.advance(frame(70_000).subarray(0, 5));
    expect(b.atBoundary).toBe(false);
  });

  it('builds a server Close frame with code and reason', () => {
    expect([...closeFrame(1008, 'Access revoked')]).toEqual([0x88, 16, 0x03, 0xf0, ...Buffer.from('Access revoked')]);
  });
});

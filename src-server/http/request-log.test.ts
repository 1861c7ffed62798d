import { describe, expect, it } from 'vitest';
import { batchedLogStream } from './request-log.ts';

describe('batchedLogStream', () => {
  it('writes the lines of one event-loop turn with one call, when the turn ends', async () => {
    const writes: string[] = [];
    const stream = batchedLogStream({ write: (chunk: string) => writes.push(chunk) });
    stream.write('a\n');
    stream.write('b\n');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a\nb\n']);
    stream.write('c\n');
    stream.flush();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });
});

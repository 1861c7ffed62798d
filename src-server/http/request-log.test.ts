import { describe, expect, it } from 'vitest';
import { batchedLogStream } from './request-log.ts';

const turn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('batchedLogStream', () => {
  it('writes the lines of one event-loop turn with one call, when the turn ends', async () => {
    const writes: string[] = [];
    const stream = batchedLogStream({ write: (chunk: string) => writes.push(chunk) });
    stream.write('a\n');
    stream.write('b\n');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['a\nb\n']);
    stream.write('c\n');
    stream.flush();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('spaces writes at least the interval apart under load, gathering what arrives meanwhile', async () => {
    const writes: string[] = [];
    const stream = batchedLogStream({ write: (chunk: string) => writes.push(chunk) }, { intervalMs: 60 });
    stream.write('a\n');
    await turn();
    expect(writes).toEqual(['a\n']);
    stream.write('b\n');
    await turn();
    stream.write('c\n');
    await turn();
    expect(writes).toEqual(['a\n']); // the second write waits for the interval
    await sleep(90);
    expect(writes).toEqual(['a\n', 'b\nc\n']);
  });

  it('writes at once when enough is waiting, whatever the interval', async () => {
    const writes: string[] = [];
    const stream = batchedLogStream({ write: (chunk: string) => writes.push(chunk) }, { intervalMs: 10_000, maxChars: 8 });
    stream.write('1234\n');
    await turn();
    stream.write('5678\n');
    expect(writes).toEqual(['1234\n']);
    stream.write('9abc\n');
    expect(writes).toEqual(['1234\n', '5678\n9abc\n']);
    stream.flush();
    expect(writes).toHaveLength(2);
  });
});

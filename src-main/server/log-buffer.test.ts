import { describe, expect, it } from 'vitest';
import { createLogBuffer } from './log-buffer.ts';
import { lastError, summarize } from './failure.ts';

describe('log buffer', () => {
  it('keeps whole lines across chunks, in arrival order, and only the last `capacity`', () => {
    const log = createLogBuffer(3);
    const out = log.stream();
    const err = log.stream();
    out.write('one\ntw');
    err.write('e1\n');
    out.write('o\nthree\n');
    expect(log.tail()).toEqual(['e1', 'two', 'three']);
    log.note('exited');
    expect(log.tail(2)).toEqual(['three', '[console] exited']);
    expect(log.tail(0)).toEqual([]);
  });

  it('flushes a last line without a newline, and cuts a runaway line', () => {
    const log = createLogBuffer(10);
    const s = log.stream();
    s.write('x'.repeat(10_000));
    s.write('tail');
    s.flush();
    const [long, rest] = log.tail();
    expect(long!.length).toBeLessThan(4_100);
    expect(rest).toBe('tail');
  });
});

describe('failure summary', () => {
  const stack = [
    'node:internal/modules/cjs/loader:1228',
    '  throw err;',
    '  ^',
    '',
    "Error: Cannot find module '/x.js'",
    '    at Module._resolveFilename (node:internal)',
    '{',
    "  code: 'MODULE_NOT_FOUND',",
    '}',
    '',
    'Node.js v20.20.2',
  ];

  it('picks the error out of a Node stack, and the message out of pino JSON', () => {
    expect(summarize(stack)).toBe("Error: Cannot find module '/x.js'");
    const pino = ['{"level":30,"msg":"listening"}', '{"level":50,"msg":"database failed","err":{"message":"disk I/O error"}}'];
    expect(lastError(pino)).toBe('database failed: disk I/O error');
    expect(lastError(['{"level":30,"msg":"incoming request"}'])).toBeNull();
    expect(summarize(['{"level":30,"msg":"a"}', 'b'])).toBe('a / b');
    expect(summarize([])).toBe('it printed nothing');
  });
});

import { describe, expect, it } from 'vitest';
import { createClipboardGuard, type Timers } from './clipboard-guard.ts';

/** A clipboard that is only memory: the OS one belongs to Electron, which is not here. */
function memoryClipboard(initial = '') {
  let value = initial;
  return { readText: () => value, writeText: (t: string) => void (value = t) };
}

function manualTimers() {
  let now = 0;
  const queue = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      queue.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void queue.delete(id as number),
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...queue]) {
        if (t.at <= now) {
          queue.delete(id);
          t.fn();
        }
      }
    },
  };
}

describe('clipboard guard', () => {
  it('clears a copied secret after 45 s', () => {
    const cb = memoryClipboard();
    const t = manualTimers();
    const guard = createClipboardGuard(cb, { timers: t.timers });
    guard.copy('PersonalKey abc:secret');
    t.advance(44_999);
    expect(cb.readText()).toBe('PersonalKey abc:secret');
    t.advance(1);
    expect(cb.readText()).toBe('');
  });

  it('leaves the clipboard alone when the user copied something else since', () => {
    const cb = memoryClipboard();
    const t = manualTimers();
    const guard = createClipboardGuard(cb, { timers: t.timers });
    guard.copy('secret-1');
    cb.writeText('a note of the user');
    t.advance(45_000);
    expect(cb.readText()).toBe('a note of the user');
  });

  it('a second copy restarts the clock for the new value only', () => {
    const cb = memoryClipboard();
    const t = manualTimers();
    const guard = createClipboardGuard(cb, { timers: t.timers });
    guard.copy('secret-1');
    t.advance(30_000);
    guard.copy('secret-2');
    t.advance(30_000);
    expect(cb.readText()).toBe('secret-2');
    t.advance(15_000);
    expect(cb.readText()).toBe('');
  });

  it('flush on quit clears a pending secret still on the clipboard; non-sensitive text is never cleared', () => {
    const cb = memoryClipboard();
    const t = manualTimers();
    const guard = createClipboardGuard(cb, { timers: t.timers });
    guard.copy('secret');
    guard.flush();
    expect(cb.readText()).toBe('');
    guard.copy('https://example.com/invite', false);
    t.advance(60_000);
    guard.flush();
    expect(cb.readText()).toBe('https://example.com/invite');
  });
});

/**
 * The bundled server's output as a ring of whole lines, stdout and stderr in
 * the order they arrived. Kept across restarts: after a crash, the lines just
 * before it are what the admin needs to see.
 */
export interface LogBuffer {
  /**
   * A sink for one stream's chunks; it keeps a partial last line until its
   * newline arrives, and hands each whole line to `onLine` too.
   */
  stream(onLine?: (line: string) => void): { write(chunk: Buffer | string): void; flush(): void };
  /** A line of our own (launch, exit), marked so it is not mistaken for the server's. */
  note(line: string): void;
  /** The last `n` lines, oldest first. */
  tail(n?: number): string[];
}

// One runaway line (a huge stack, binary noise) must not hold megabytes.
const MAX_LINE = 4_000;

export function createLogBuffer(capacity: number): LogBuffer {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('logLines must be a whole number of at least 1');
  const ring: string[] = new Array<string>(capacity);
  let next = 0;
  let size = 0;

  const push = (line: string): string => {
    const kept = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
    ring[next] = kept;
    next = (next + 1) % capacity;
    size = Math.min(size + 1, capacity);
    return kept;
  };

  return {
    stream(onLine) {
      let partial = '';
      const emit = (line: string) => {
        const kept = push(line);
        onLine?.(kept);
      };
      return {
        write(chunk) {
          const parts = (partial + String(chunk)).split(/\r?\n/);
          partial = parts.pop() ?? '';
          for (const p of parts) emit(p);
          if (partial.length > MAX_LINE) {
            emit(partial);
            partial = '';
          }
        },
        flush() {
          if (partial) emit(partial);
          partial = '';
        },
      };
    },
    note(line) {
      push(`[console] ${line}`);
    },
    tail(n = capacity) {
      const count = Math.max(0, Math.min(Math.floor(n), size));
      const out: string[] = [];
      for (let i = size - count; i < size; i++) out.push(ring[(next - size + i + capacity) % capacity]!);
      return out;
    },
  };
}

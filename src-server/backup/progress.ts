/**
 * Rows copied per table, on one line that rewrites itself, to standard error
 * and only when it is a terminal (scripts and logs get the counts at the end).
 */
export interface Progress {
  table(name: string, total: number): void;
  rows(n: number): void;
  done(): void;
}

export const silentProgress: Progress = { table: () => undefined, rows: () => undefined, done: () => undefined };

export function terminalProgress(verb: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  let name = '';
  let total = 0;
  let seen = 0;
  let shown = 0;
  const show = () => {
    shown = Date.now();
    stream.write(`\r\x1b[K${verb} ${name}: ${seen.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows`);
  };
  return {
    table(n, t) {
      if (name) stream.write('\n');
      name = n;
      total = t;
      seen = 0;
      show();
    },
    rows(n) {
      seen += n;
      if (Date.now() - shown > 100 || seen >= total) show();
    },
    done() {
      if (name) stream.write('\n');
      name = '';
    },
  };
}

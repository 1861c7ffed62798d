/** Output helpers for the CLI: aligned tables for people, JSON for scripts. */
export interface Out {
  json: boolean;
  print(data: unknown, human?: () => string): void;
  info(line: string): void;
}

export function createOut(
  json: boolean,
  write: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Out {
  return {
    json,
    print(data, human) {
      if (json || !human) write(JSON.stringify(data, null, 2) + '\n');
      else write(human() + '\n');
    },
    info(line) {
      // Progress and notes go to stderr so stdout stays parseable.
      err(line + '\n');
    },
  };
}

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

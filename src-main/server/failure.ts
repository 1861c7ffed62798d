import { ConsoleFailure } from '../../src-shared/console-errors.ts';

/**
 * Turns what the server printed before it stopped into one error a person can
 * act on. The patterns are the sentences `graphistry-admin serve` prints
 * (src-server/cli/serve.ts, src-server/lib/data-dir-lock.ts).
 */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const PORT_IN_USE = /port (\d+) on (\S+) is already in use/;
const DATA_DIR_LOCKED = /the data dir (.+) is in use by another graphistry-admin server \(pid (\w+)\)/;
const ERROR_LIKE = /^(error\b|[A-Za-z]*Error\b|Invalid configuration)/;

export function exitText({ code, signal }: ExitInfo): string {
  return signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`;
}

/** The failure behind a server that exited before it was ready. */
export function startFailure(stderr: string[], exit: ExitInfo): ConsoleFailure {
  const text = stderr.join('\n');
  const port = PORT_IN_USE.exec(text);
  if (port) {
    return new ConsoleFailure({
      code: 'PORT_IN_USE',
      message: `Port ${port[1]} on ${port[2]} is already in use by another program, so the bundled server cannot listen there; choose another port, or 0 for any free one.`,
    });
  }
  const locked = DATA_DIR_LOCKED.exec(text);
  if (locked) {
    return new ConsoleFailure({
      code: 'DATABASE_LOCKED',
      message: `The data folder ${locked[1]} is in use by another Graphistry Admin server (pid ${locked[2]}); stop that server, then start this one again.`,
    });
  }
  return new ConsoleFailure({
    code: 'SERVER_FAILED',
    message: `The bundled server stopped (${exitText(exit)}) before it was ready: ${summarize(stderr)}.`,
  });
}

/**
 * One line for a person: the last error the server reported, or else its last
 * few lines. Pino's JSON lines are reduced to their message.
 */
export function summarize(lines: string[], max = 3): string {
  const meaningful = lines.map(readable).filter((l): l is Readable => l !== null);
  const picked =
    lastError(lines) ??
    meaningful
      .slice(-max)
      .map((l) => l.text)
      .join(' / ');
  return picked ? oneLine(picked) : 'it printed nothing';
}

/** The last line that reports an error (a plain `error: ...`, a thrown `XError`, a pino entry at level error or worse). */
export function lastError(lines: string[]): string | null {
  const found = lines.map(readable).findLast((l) => l?.error);
  return found ? oneLine(found.text) : null;
}

interface Readable {
  text: string;
  error: boolean;
}

const PINO_ERROR = 50;

function readable(line: string): Readable | null {
  const trimmed = line.trim();
  // Stack frames, Node's version footer and bare braces say nothing to an admin.
  if (!trimmed || /^at\s/.test(trimmed) || /^Node\.js v\d/.test(trimmed) || /^[{}[\]^]+$/.test(trimmed)) return null;
  if (!trimmed.startsWith('{')) return { text: trimmed, error: ERROR_LIKE.test(trimmed) };
  try {
    const entry = JSON.parse(trimmed) as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
    const msg = typeof entry.msg === 'string' ? entry.msg : null;
    const err = typeof entry.err?.message === 'string' ? entry.err.message : null;
    const text = msg && err && !msg.includes(err) ? `${msg}: ${err}` : (msg ?? err);
    return text ? { text, error: typeof entry.level === 'number' && entry.level >= PINO_ERROR } : null;
  } catch {
    return { text: trimmed, error: ERROR_LIKE.test(trimmed) };
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/[.\s]+$/, '');
  return flat.length > 400 ? `${flat.slice(0, 400)}…` : flat;
}

import { spawn } from 'node:child_process';
import type { ExitInfo } from './failure.ts';
import type { LogBuffer } from './log-buffer.ts';

/** One launch of the server process, as the launcher sees it. */
export interface ServerChild {
  readonly pid: number | null;
  /** The URL from its `listening on http://...` line; never rejects (watch `exited`). */
  readonly listening: Promise<string>;
  /** Settles once, when the process is gone and its output read (or it never started). */
  readonly exited: Promise<ExitInfo & { spawnError: Error | null }>;
  hasExited(): boolean;
  /** Its own last lines (this launch only), for error messages. */
  tail(): string[];
  kill(signal: NodeJS.Signals): void;
}

const TAIL = 50;
// After 'exit', the rest of its output may still be in the pipes; wait for it this long at most.
const DRAIN_MS = 500;
const LISTENING = /listening on (http:\/\/\S+)/;

export function spawnServer(execPath: string, args: string[], env: Record<string, string>, log: LogBuffer): ServerChild {
  // stdin is a pipe we never write to: it closes when this process dies, however it dies.
  const proc = spawn(execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
  };

  let announce: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => (announce = resolve));
  const out = log.stream((line) => {
    keep(line);
    const m = LISTENING.exec(line);
    if (m) announce(m[1]!);
  });
  const err = log.stream(keep);
  proc.stdout.setEncoding('utf8').on('data', (c: string) => out.write(c));
  proc.stderr.setEncoding('utf8').on('data', (c: string) => err.write(c));
  // A write to a dead child's stdin must not become an uncaught error in the console.
  proc.stdin.on('error', () => undefined);

  // Without this, a console that exits normally (process.exit, end of its event
  // loop) would leave the server running with the data dir lock.
  const onParentExit = () => proc.kill('SIGTERM');
  process.on('exit', onParentExit);

  let done = false;
  const exited = new Promise<ExitInfo & { spawnError: Error | null }>((resolve) => {
    const finish = (info: ExitInfo, spawnError: Error | null) => {
      if (done) return;
      done = true;
      process.off('exit', onParentExit);
      out.flush();
      err.flush();
      resolve({ ...info, spawnError });
    };
    proc.once('exit', (code, signal) => {
      const timer = setTimeout(() => finish({ code, signal }, null), DRAIN_MS);
      proc.once('close', () => {
        clearTimeout(timer);
        finish({ code, signal }, null);
      });
    });
    proc.on('error', (e) => {
      // 'error' also reports a failed kill(); only a process that never got a pid did not start.
      if (proc.pid === undefined) finish({ code: null, signal: null }, e);
    });
  });

  return {
    pid: proc.pid ?? null,
    listening,
    exited,
    hasExited: () => done,
    tail: () => [...tail],
    kill(signal) {
      if (!done) proc.kill(signal);
    },
  };
}

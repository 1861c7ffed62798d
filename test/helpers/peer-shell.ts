// One long-lived `manage.py shell` per Django peer, for the tests' many
// `peer.shell(code)` calls (a dump before and after each write, seeding, a
// user's pk): Python and Django start once, not once per call (about 0.6 s
// each on this machine), and each call runs in a fresh namespace. Calls run
// one at a time, in order. After each one the process closes its database
// connections, so the next call reads what the peer's server has written
// since, as a new process would.
import { spawn, type ChildProcess } from 'node:child_process';

const LOOP = `
import contextlib, io, json, sys, traceback
from django.db import connections
for line in sys.stdin:
    out = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(out):
            exec(json.loads(line), {'__name__': '__main__'})
    except BaseException:
        error = traceback.format_exc()
    finally:
        connections.close_all()
    sys.__stdout__.write(json.dumps({'out': out.getvalue(), 'error': error}) + '\\n')
    sys.__stdout__.flush()
`;

export interface PeerShell {
  run(code: string, timeoutMs?: number): Promise<string>;
  stop(): void;
}

export function startPeerShell(python: string, cwd: string, env: Record<string, string>): PeerShell {
  let proc: ChildProcess | null = null;
  let buffered = '';
  let stderr = '';
  let waiting: { resolve: (line: string) => void; reject: (e: Error) => void } | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  function ensure(): ChildProcess {
    if (proc && proc.exitCode === null && proc.signalCode === null) return proc;
    // Verbosity 0: Django 5.2's shell otherwise prints "N objects imported automatically" first.
    const p = spawn(python, ['manage.py', 'shell', '--verbosity', '0', '-c', LOOP], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    buffered = '';
    stderr = '';
    p.stdout!.on('data', (c) => {
      buffered += String(c);
      const nl = buffered.indexOf('\n');
      if (nl >= 0 && waiting) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const w = waiting;
        waiting = null;
        w.resolve(line);
      }
    });
    p.stderr!.on('data', (c) => (stderr = (stderr + String(c)).slice(-4000)));
    p.once('exit', (code, signal) => {
      const w = waiting;
      waiting = null;
      w?.reject(new Error(`the peer's shell exited (${signal ?? code}):\n${stderr}`));
    });
    return (proc = p);
  }

  async function once(code: string, timeoutMs: number): Promise<string> {
    const p = ensure();
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting = null;
        p.kill('SIGKILL');
        reject(new Error(`the peer's shell did not answer in ${timeoutMs} ms:\n${stderr}`));
      }, timeoutMs);
      waiting = {
        resolve: (l) => (clearTimeout(timer), resolve(l)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      p.stdin!.write(JSON.stringify(code) + '\n');
    });
    const answer = JSON.parse(line) as { out: string; error: string | null };
    if (answer.error) throw new Error(`manage.py shell failed:\n${answer.error}\n${answer.out}`);
    return answer.out;
  }

  return {
    run(code, timeoutMs = 120_000) {
      const next = queue.then(() => once(code, timeoutMs));
      queue = next.catch(() => undefined);
      return next;
    },
    stop() {
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      proc = null;
    },
  };
}

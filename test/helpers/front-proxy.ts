import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { freePort, waitForPort } from './free-port.ts';

/** A program runs at all (`args` asks it its version). */
export function programMissing(path: string, args: string[]): string | null {
  return spawnSync(path, args).status === 0 ? null : `${path} not found`;
}

/**
 * A configuration block exactly as the README shows it (between its
 * `<!-- NAME-snippet:begin -->` and `<!-- NAME-snippet:end -->` markers), so
 * the configuration people copy is the one the end-to-end test runs.
 */
export function readmeSnippet(name: string, fence: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = new RegExp(`<!-- ${name}-snippet:begin -->\\s*\`\`\`${fence}\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}-snippet:end -->`).exec(readme);
  if (!m) throw new Error(`README.md has no ${name} snippet between <!-- ${name}-snippet:begin --> and <!-- ${name}-snippet:end -->`);
  return m[1]!;
}

/** A reverse proxy the test runs in front of the account server. */
export interface FrontProxy {
  url: string;
  port: number;
  dir: string;
  errorLog(): string;
  /** '' for a proxy that keeps none (the README's Caddy site block configures no access log). */
  accessLog(): string;
  stop(): Promise<void>;
}

/**
 * Start a proxy as a child of the test (never the system's instance) on a
 * free loopback port, everything of its own in `dir` (removed when it stops).
 * `spawnOn(port)` writes its configuration and starts it; another program
 * taking the port in between is retried.
 */
export async function startFrontProxy(name: string, dir: string, spawnOn: (port: number) => ChildProcess, logs: { error: string; access?: string }, stopSignal: NodeJS.Signals): Promise<FrontProxy> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawnOn(port);
    let stderr = '';
    proc.stderr?.on('data', (c) => (stderr += String(c)));
    try {
      await waitForPort(port, 10_000, () => proc.exitCode === null);
    } catch (e) {
      lastError = `${(e as Error).message}\n${stderr}\n${safeRead(logs.error)}`;
      proc.kill('SIGKILL');
      if (/address already in use/i.test(lastError)) continue;
      break;
    }
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dir,
      errorLog: () => `${stderr}${safeRead(logs.error)}`,
      accessLog: () => (logs.access ? safeRead(logs.access) : ''),
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill(stopSignal);
          const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`${name} did not start: ${lastError}`);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

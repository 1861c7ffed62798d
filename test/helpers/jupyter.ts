import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './app.ts';
import { freePort } from './free-port.ts';

export const JUPYTER_NOTEBOOK = process.env.JUPYTER_NOTEBOOK_PATH ?? '/usr/bin/jupyter-notebook';

export function jupyterMissing(): string | null {
  return existsSync(JUPYTER_NOTEBOOK) ? null : `jupyter-notebook not found at ${JUPYTER_NOTEBOOK}`;
}

export interface JupyterProcess {
  /** Origin only, e.g. http://127.0.0.1:41337 (the server itself answers under /notebook/). */
  url: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's Jupyter notebook server (6.x) the way docs/staff-access.md says to run it
 * behind the gate or nginx: loopback only, its own token and password off
 * (the account server decides who gets in), base_url /notebook/. Its config,
 * data, runtime and IPython folders and its notebooks live in a temp dir.
 */
export async function startJupyter(): Promise<JupyterProcess> {
  const dir = tempDir('gadm-jupyter-');
  for (const d of ['config', 'data', 'runtime', 'ipython', 'notebooks']) mkdirSync(join(dir, d));
  const port = await freePort();
  const proc: ChildProcess = spawn(
    JUPYTER_NOTEBOOK,
    [
      '--no-browser',
      '--allow-root', // CI runs as root
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      '--NotebookApp.token=',
      '--NotebookApp.password=',
      '--NotebookApp.base_url=/notebook/',
      '--NotebookApp.trust_xheaders=True',
      `--notebook-dir=${join(dir, 'notebooks')}`,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        JUPYTER_CONFIG_DIR: join(dir, 'config'),
        JUPYTER_DATA_DIR: join(dir, 'data'),
        JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
        IPYTHONDIR: join(dir, 'ipython'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  proc.stdout!.on('data', (c) => (log += String(c)));
  proc.stderr!.on('data', (c) => (log += String(c)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter-notebook exited (${proc.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/notebook/api`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`jupyter-notebook did not answer in 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log: () => log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM'); // shuts its kernels down too
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

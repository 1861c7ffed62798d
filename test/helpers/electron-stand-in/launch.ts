// Test side: make sure out/ holds a build of the current sources, bundle the
// stand-in (harness, stand-in `electron`, resolve hook) for plain `node`, run
// out/main/index.js in a child with it, and talk to that child.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { REPO, serveProcessesFor } from '../console-web.ts';
import type { CallRecord, ChildMessage, Json, OpName, Ops, ParentMessage } from './messages.ts';

import { MAIN_BUNDLE } from '../build-outputs.ts';

export { MAIN_BUNDLE, PRELOAD_BUNDLE, RENDERER_INDEX, ensureBuilt as ensureElectronBuilt } from '../build-outputs.ts';

/**
 * Bundles the stand-in for plain `node` into `dir`: harness.mjs (the entry),
 * electron.mjs (what `electron` resolves to), hooks.mjs, and the chunk they
 * share (state.ts: one instance for the stand-in and the harness).
 */
export async function bundleStandIn(dir: string): Promise<string> {
  const src = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
  await build({
    entryPoints: [src('harness.ts'), src('electron.ts'), src('hooks.ts')],
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    // Resolved at run time, through the hook, to electron.mjs.
    external: ['electron'],
    logLevel: 'silent',
  });
  return join(dir, 'harness.mjs');
}

export interface MainUnderTest {
  /** Every call main made into `electron` so far, in order. */
  readonly records: CallRecord[];
  calls(call: string): CallRecord[];
  /** The console's data folder (what main set as userData). */
  readonly appData: string;
  request<O extends OpName>(op: O, req: Ops[O]['req']): Promise<Ops[O]['res']>;
  /** Waits until a record satisfies `pred` (main works asynchronously after ready). */
  waitFor(pred: (r: CallRecord) => boolean, what: string, ms?: number): Promise<CallRecord>;
  output(): string;
  /**
   * Quit through `app.quit()` (main's before-quit path), then make sure the
   * child and any bundled server of its data folder are gone, and remove the
   * folder. Says how the child ended and which bundled servers outlived it.
   */
  stop(): Promise<StopResult>;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It did not end within 15 s of app.quit() and was killed. */
  killed: boolean;
  /** Bundled servers of this data folder still running once main had exited (then killed). */
  outlived: number[];
}

/** The environment minus the D-Bus session, so nothing reaches a developer's own keyring. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DBUS_SESSION_BUS_ADDRESS') env[k] = v;
  return { ...env, ...extra };
}

export async function launchMain(harness: string, opts: { lock?: 'held' | 'taken' } = {}): Promise<MainUnderTest> {
  const appData = mkdtempSync(join(tmpdir(), 'gadm-electron-main-'));
  const child = spawn(process.execPath, [harness, MAIN_BUNDLE], {
    cwd: REPO,
    env: childEnv({ STAND_IN_APP_DATA: appData, STAND_IN_LOCK: opts.lock ?? 'held' }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (out += String(c)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  // The channel closes once its last message has been read: 'exit' alone can come before the child's final reports.
  const channelClosed = new Promise<void>((r) => child.once('disconnect', () => r()));

  const records: CallRecord[] = [];
  const waiters = new Set<() => void>();
  const pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let loaded: (error: string | null) => void = () => undefined;
  const loadedP = new Promise<string | null>((r) => (loaded = r));
  child.on('message', (raw) => {
    const msg = raw as ChildMessage;
    if (msg.kind === 'record') {
      records.push(msg.record);
      for (const w of waiters) w();
    } else if (msg.kind === 'reply') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.value);
      else p?.reject(new Error(`child: ${msg.error}`));
    } else if (msg.kind === 'loaded') {
      loaded(msg.error);
    }
  });
  void Promise.all([exited, channelClosed]).then(([{ code, signal }]) => {
    loaded(`the child exited (${code ?? signal}) before main was loaded`);
    for (const p of pending.values()) p.reject(new Error(`the child exited (${code ?? signal}):\n${out.slice(-3000)}`));
    pending.clear();
  });

  const loadError = await loadedP;
  // A launch that quits at once (another instance holds the lock) may exit before it says it loaded.
  const quitAtOnce = child.exitCode === 0 && records.some((r) => r.call === 'app.quit');
  if (loadError && !quitAtOnce) {
    child.kill('SIGKILL');
    rmSync(appData, { recursive: true, force: true });
    throw new Error(`out/main/index.js did not load under the stand-in: ${loadError}\n${out.slice(-3000)}`);
  }

  let stopping: Promise<StopResult> | null = null;
  const self: MainUnderTest = {
    records,
    appData,
    output: () => out,
    calls: (call) => records.filter((r) => r.call === call),
    request<O extends OpName>(op: O, req: Ops[O]['req']): Promise<Ops[O]['res']> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: Json) => void, reject });
        child.send({ id, op, req } as ParentMessage);
      });
    },
    waitFor(pred, what, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = records.find(pred);
          if (!hit) return;
          cleanup();
          resolve(hit);
        };
        const timer = setTimeout(
          () => (cleanup(), reject(new Error(`no ${what} within ${ms} ms; calls so far: ${records.map((r) => r.call).join(', ')}\n${out.slice(-3000)}`))),
          ms,
        );
        const cleanup = () => (clearTimeout(timer), waiters.delete(check));
        waiters.add(check);
        check();
      });
    },
    stop() {
      stopping ??= (async () => {
        let killed = false;
        if (child.exitCode === null && child.signalCode === null) {
          await self.request('quit', {}).catch(() => undefined);
          const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
          if ((await Promise.race([exited, timeout])) === 'timeout') {
            killed = true;
            child.kill('SIGKILL');
          }
        }
        const [{ code, signal }] = await Promise.all([exited, channelClosed]);
        // A safety net: a bundled server must not outlive the test even if main failed to stop it.
        const outlived = serveProcessesFor(join(appData, 'Graphistry Admin', 'server'));
        for (const pid of outlived) process.kill(pid, 'SIGKILL');
        rmSync(appData, { recursive: true, force: true });
        return { code, signal, killed, outlived };
      })();
      return stopping;
    },
  };
  return self;
}

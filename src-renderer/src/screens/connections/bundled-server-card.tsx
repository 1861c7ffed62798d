import { useEffect, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner, when } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { BusyLine } from '../wizard/form-bits.tsx';
import { serverButtons, settling, stateLabel } from './connections-model.ts';
import { ServerLog } from './server-log.tsx';
import { BundledBackupsPart } from './bundled-backups.tsx';

type Action = 'start' | 'stop' | 'restart';
const BUSY_TEXT: Record<Action, string> = {
  start: 'Starting the bundled server…',
  stop: 'Stopping the bundled server…',
  restart: 'Restarting the bundled server…',
};

/** The bundled server's state and its lifecycle buttons. It can crash at any time, so the card polls while shown. */
export function BundledServerCard() {
  const server = useApp((s) => s.server);
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [logOpen, setLogOpen] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const state = server?.state;

  // Poll faster while starting or stopping; restart the loop only when that changes.
  const fast = settling(state);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const tick = async () => {
      const r = await call('bundledServerStatus', {});
      if (!live) return;
      if (r.ok && r.value.state !== useApp.getState().server?.state) {
        // A crash (or a start elsewhere) also changes the connection's health: refresh all of it.
        useApp.setState({ server: r.value });
        await useApp.getState().refresh();
        if (!live) return;
      }
      timer = setTimeout(() => void tick(), settling(r.ok ? r.value.state : undefined) ? 700 : 4000);
    };
    timer = setTimeout(() => void tick(), fast ? 700 : 4000);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fast]);

  async function run(action: Action) {
    setBusy(action);
    setError(null);
    const app = useApp.getState();
    // Stopping ends a bundled connection; a restart reconnects it when the keychain still holds its key.
    const bundled = app.status?.connected && app.status.profile?.kind === 'bundled' ? app.status.profile : null;
    let failed: ConsoleError | null = null;
    let reconnected = true;
    if (action !== 'start') {
      const r = await call('stopBundledServer', {});
      if (!r.ok) failed = r.error;
    }
    if (!failed && action !== 'stop') {
      const r = await call('startBundledServer', {});
      if (!r.ok) failed = r.error;
      else if (bundled && action === 'restart') reconnected = (await call('connect', { profileId: bundled.id })).ok;
    }
    await app.refresh();
    setBusy(null);
    setError(failed);
    setLogVersion((v) => v + 1);
    if (failed) return;
    const toast = useToasts.getState().show;
    if (action === 'start') toast('ok', 'Bundled server started');
    else if (action === 'stop') toast('ok', bundled ? 'Bundled server stopped; the console is no longer connected to it' : 'Bundled server stopped');
    else if (bundled && !reconnected) toast('info', `Bundled server restarted; connect to ${bundled.name} and sign in again`);
    else toast('ok', 'Bundled server restarted');
  }

  const can = serverButtons(state);
  return (
    <section className="card server-card" aria-labelledby="bundled-title">
      <div className="card-head">
        <h2 id="bundled-title">Bundled server</h2>
        <span className={`badge server-state ${state ?? 'unknown'}`} role="status">
          {stateLabel(state)}
        </span>
      </div>
      <dl className="facts">
        <dt>URL</dt>
        <dd>{server?.url ?? '—'}</dd>
        <dt>Process id</dt>
        <dd>{server?.pid ?? '—'}</dd>
        <dt>Started</dt>
        <dd>{when(server?.started_at)}</dd>
        <dt>Data folder</dt>
        <dd>{server ? <code>{server.data_dir}</code> : '—'}</dd>
      </dl>
      {server?.last_error ? (
        <div className="banner error" role="alert">
          <span>
            <strong>{state === 'crashed' ? 'Crashed: ' : 'Last error: '}</strong>
            {server.last_error}
          </span>
        </div>
      ) : null}
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" disabled={busy !== null || !can.start} onClick={() => void run('start')}>
          Start server
        </button>
        <button type="button" className="secondary" disabled={busy !== null || !can.stop} onClick={() => void run('stop')}>
          Stop server
        </button>
        <button type="button" className="secondary" disabled={busy !== null || !can.restart} onClick={() => void run('restart')}>
          Restart
        </button>
        <button type="button" className="ghost" aria-expanded={logOpen} aria-controls="bundled-log" onClick={() => setLogOpen((o) => !o)}>
          {logOpen ? 'Hide log' : 'Show log'}
        </button>
        <BusyLine busy={busy !== null} text={busy ? BUSY_TEXT[busy] : ''} />
      </div>
      {logOpen ? <ServerLog id="bundled-log" version={logVersion} /> : null}
      <BundledBackupsPart />
    </section>
  );
}

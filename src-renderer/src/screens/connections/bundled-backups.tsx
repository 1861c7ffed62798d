import { useEffect, useState } from 'react';
import type { BundledBackups } from '../../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner, Spinner, when } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useToasts } from '../../stores/toast-store.ts';

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`);

/**
 * The bundled server's backups: where they go, the latest one, and Back up
 * now (a consistent snapshot of its database and `.env` secrets, taken while
 * it keeps serving; restore and moving to PostgreSQL are the command line's,
 * see docs/backup.md).
 */
export function BundledBackupsPart() {
  const [backups, setBackups] = useState<BundledBackups | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  useEffect(() => {
    void call('bundledServerBackups', {}).then((r) => (r.ok ? setBackups(r.value) : setError(r.error)));
  }, []);

  async function backUp() {
    setBusy(true);
    setError(null);
    const r = await call('backUpBundledServer', {});
    setBusy(false);
    if (!r.ok) return setError(r.error);
    useToasts.getState().show('ok', `Backed up to ${r.value.file}`);
    const listed = await call('bundledServerBackups', {});
    if (listed.ok) setBackups(listed.value);
  }

  return (
    <div className="backups" aria-labelledby="backups-title">
      <h3 id="backups-title">Backups</h3>
      <dl className="facts">
        <dt>Last backup</dt>
        <dd>{backups?.last ? `${when(backups.last.at)} (${size(backups.last.bytes)})` : 'None yet'}</dd>
        <dt>Folder</dt>
        <dd>{backups ? <code>{backups.dir}</code> : '—'}</dd>
      </dl>
      <p className="muted small">
        A backup holds every account, key, session, invitation, setting and the audit log, and the server’s secrets: keep it as safe as the data folder. Taken
        while the server keeps serving.
      </p>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => void backUp()}>
          {busy ? <Spinner label="Backing up" /> : null}
          Back up now
        </button>
      </div>
    </div>
  );
}

import { useState } from 'react';
import { call, describeError } from '../../lib/api.ts';
import { saveFile } from '../../lib/save-file.ts';
import { Spinner } from '../../components/ui.tsx';
import { useApp } from '../../stores/app-store.ts';
import { useAudit } from '../../stores/audit-store.ts';
import { useToasts } from '../../stores/toast-store.ts';

/** The log with the current filters (every matching entry, not just this page) as a CSV file to save. */
export function ExportAudit() {
  const connection = useApp((s) => s.status?.connection ?? null);
  const filters = useAudit((s) => s.filters);
  const [busy, setBusy] = useState(false);

  async function run() {
    if (!connection) return;
    setBusy(true);
    const actor = filters.actor.trim();
    const r = await call('exportAudit', {
      connection,
      ...(actor ? { actor } : {}),
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.target !== null ? { target_user_id: filters.target } : {}),
    });
    setBusy(false);
    if (!r.ok) return useToasts.getState().show('error', describeError(r.error));
    saveFile(r.value);
    useToasts.getState().show('ok', `Exported the audit log as ${r.value.file_name}.`);
  }

  return (
    <div className="actions head-actions">
      <button type="button" className="secondary" disabled={busy || !connection} onClick={() => void run()}>
        {busy ? <Spinner label="Exporting the audit log" /> : null} Export CSV
      </button>
    </div>
  );
}

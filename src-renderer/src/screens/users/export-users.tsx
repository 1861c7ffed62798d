import { useState } from 'react';
import type { UserExportFormat } from '../../../../src-shared/user-export.ts';
import { call, describeError } from '../../lib/api.ts';
import { saveFile } from '../../lib/save-file.ts';
import { Spinner } from '../../components/ui.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { useUsers } from '../../stores/users-store.ts';
import { toFilterParams, userCount } from '../../stores/users-query.ts';

/** Export every user the current search and filters match (not just this page), as CSV or JSON: a file to save. */
export function ExportUsers() {
  const connection = useApp((s) => s.status?.connection ?? null);
  const query = useUsers((s) => s.query);
  const count = useUsers((s) => s.count);
  const estimated = useUsers((s) => s.estimated);
  const absent = useNotOffered('user_export');
  const [busy, setBusy] = useState<UserExportFormat | null>(null);

  async function run(format: UserExportFormat) {
    if (!connection) return;
    setBusy(format);
    const r = await call('exportUsers', { connection, filter: toFilterParams(query), format });
    setBusy(null);
    const toast = useToasts.getState().show;
    if (!r.ok) return toast('error', describeError(r.error));
    saveFile(r.value);
    toast('ok', `Exported ${userCount(count, estimated)} as ${r.value.file_name}.`);
  }

  return (
    <span className="export-users" role="group" aria-label="Export users">
      {(['csv', 'json'] as const).map((f) => (
        <button
          key={f}
          type="button"
          className="secondary small"
          disabled={absent !== null || busy !== null || !connection}
          title={absent ?? `Every user matching the current search and filters, as ${f.toUpperCase()} (no secrets)`}
          onClick={() => void run(f)}
        >
          {busy === f ? <Spinner label={`Exporting ${f.toUpperCase()}`} /> : null} Export {f.toUpperCase()}
        </button>
      ))}
    </span>
  );
}

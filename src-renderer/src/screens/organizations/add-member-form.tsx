import { useId, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { OrgRole } from '../../../../src-shared/domain.ts';
import { ErrorBanner } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { findUserByName } from './find-user.ts';
import { ROLE_LABEL } from './org-logic.ts';

/** "Add existing user": a username and a role (a superuser's direct add; others join by invitation). */
export function AddMemberForm({ org, onAdded }: { org: string; onAdded(): void }) {
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<OrgRole>('member');
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const who = username.trim();
    if (!who) return setError({ code: 'VALIDATION', message: 'Enter the username of the user to add.' });
    setBusy(true);
    setError(null);
    const found = await findUserByName(connection, who);
    if (!found.ok) {
      setBusy(false);
      return setError(found.error ?? { code: 'NOT_FOUND', message: `No user is named “${who}”.` });
    }
    const r = await call('addOrgMember', { connection, org, user_id: found.id, role });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    toast('ok', `Added ${r.value.username}`);
    setUsername('');
    onAdded();
  }

  return (
    <form className="add-member" onSubmit={(e) => void submit(e)} noValidate aria-label="Add existing user">
      <div className="toolbar">
        <label htmlFor={`${id}-u`}>Add existing user</label>
        <input id={`${id}-u`} value={username} placeholder="Username" autoComplete="off" onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor={`${id}-r`} className="sr-only">
          Role
        </label>
        <select id={`${id}-r`} value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
          {(Object.keys(ROLE_LABEL) as OrgRole[]).map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
        <button type="submit" className="secondary" disabled={busy}>
          Add
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}

import { useId, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call, fieldErrors } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { Check, ErrorBanner, Field, Spinner } from '../../components/ui.tsx';
import { DEFAULT_INVITE_HOURS, INVITE_EXPIRY_CHOICES } from './settings-logic.ts';

/** Creates a single-use link; the URL goes to the caller, which shows it once. */
export function InviteForm({ onCreated }: { onCreated(url: string): void }) {
  const [hours, setHours] = useState<number>(DEFAULT_INVITE_HOURS);
  const [staff, setStaff] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const selectId = useId();
  const connection = useConnection();
  const noteError = fieldErrors(error).note;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const r = await call('createInvitation', { connection, expires_in_hours: hours, grant_staff: staff, note: note.trim() || null });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    setNote('');
    setStaff(false);
    onCreated(r.value.url);
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="New invitation">
      {noteError ? null : <ErrorBanner error={error} />}
      <div className="inline-fields">
        <div className="field">
          <label htmlFor={selectId}>Expires in</label>
          <select id={selectId} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {INVITE_EXPIRY_CHOICES.map((c) => (
              <option key={c.hours} value={c.hours}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <Field label="Note" value={note} onChange={setNote} error={noteError} placeholder="who it is for" autoComplete="off" />
      </div>
      <Check
        label="Grant staff"
        checked={staff}
        onChange={setStaff}
        explain="The account made from this link gets staff access (notebook server and investigation tool)."
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? <Spinner label="Creating the invitation" /> : null}
          Create invitation
        </button>
      </div>
    </form>
  );
}

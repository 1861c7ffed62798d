import { useId, useState, type FormEvent } from 'react';
import type { NewPersonalKey } from '../../../../src-shared/domain.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call, fieldErrors } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { ErrorBanner, Field, Spinner } from '../../components/ui.tsx';
import { KEY_EXPIRY_CHOICES, expiryToIso, isKeyExpiryChoice, type KeyExpiryChoice } from './key-logic.ts';
import type { KeyOwner } from './use-keys.ts';

/** Name and optional expiry; hands the one-time secret to the caller and forgets it. */
export function CreateKeyForm({ owner, onCreated }: { owner: KeyOwner; onCreated(key: NewPersonalKey): void }) {
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<KeyExpiryChoice>('never');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const selectId = useId();
  const connection = useConnection();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const trimmed = name.trim();
    if (!trimmed) {
      setNameError('Give the key a name, e.g. what will use it.');
      return;
    }
    setBusy(true);
    setNameError(undefined);
    const r = await call('createKey', { connection, user: owner, name: trimmed, expires_at: expiryToIso(expiry) });
    setBusy(false);
    if (r.ok) {
      setError(null);
      setName('');
      setExpiry('never');
      onCreated(r.value);
      return;
    }
    const fields = fieldErrors(r.error);
    if (fields.name) setNameError(fields.name);
    setError(fields.name ? null : r.error);
  }

  return (
    <form className="card key-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${selectId}-h`}>
      <h2 id={`${selectId}-h`}>New key</h2>
      <ErrorBanner error={error} />
      <div className="inline-fields">
        <Field label="Key name" value={name} onChange={setName} required error={nameError} placeholder="e.g. notebook on laptop" autoComplete="off" />
        <div className="field">
          <label htmlFor={selectId}>Expires</label>
          <select id={selectId} value={expiry} onChange={(e) => isKeyExpiryChoice(e.target.value) && setExpiry(e.target.value)}>
            {KEY_EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline-submit">
          <button type="submit" disabled={busy}>
            {busy ? <Spinner label="Creating the key" /> : null}
            Create key
          </button>
        </div>
      </div>
    </form>
  );
}

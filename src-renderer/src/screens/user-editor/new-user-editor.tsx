import { useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner, Field, PageHead } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { IncompleteUser, leftIncomplete } from './incomplete-user.tsx';
import { AccountFields, UserModelNotes } from './account-fields.tsx';
import { useConnection } from '../../lib/use-connection.ts';
import type { Route } from '../../lib/route.ts';
import { useTitle } from '../../lib/title.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { bannerError, BLANK_NEW_USER, checkNewUser, createParams, errorsByField, withoutKey, type NewUserForm } from './editor-logic.ts';
import { EditorActions, type After } from './editor-actions.tsx';
import { FreshKeyNotice } from './fresh-key-notice.tsx';
import { useFreshKey } from './fresh-key.ts';
import { useLeaveGuard } from '../../stores/leave-guard.ts';
import { Permissions } from './permissions.tsx';
import { StrengthHint } from './strength-hint.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';

const FIELDS = ['username', 'email', 'password', 'password2', 'is_active', 'is_staff', 'is_superuser'] as const;

/** "Add user": username and password first, permissions after (Django's order); the server creates the user's first API key. */
export function NewUserEditor() {
  const navigate = useApp((s) => s.navigate);
  // A Graphistry makes no key with the account: say what it does instead.
  const noFirstKey = useNotOffered('first_key');
  const toast = useToasts((s) => s.show);
  const [form, setForm] = useState<NewUserForm>({ ...BLANK_NEW_USER });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  // A new key remounts the fields after "Save and add another", so autofocus puts the cursor back in Username.
  const [round, setRound] = useState(0);
  const connection = useConnection();
  useTitle('Add user');
  const typed = (Object.keys(BLANK_NEW_USER) as Array<keyof NewUserForm>).some((k) => form[k] !== BLANK_NEW_USER[k]);
  useLeaveGuard(typed ? `The new user${form.username.trim() ? ` “${form.username.trim()}”` : ''} is not saved yet.` : null);

  function set<K extends keyof NewUserForm>(name: K, value: NewUserForm[K]) {
    setForm((f) => ({ ...f, [name]: value }));
    setErrors((e) => withoutKey(e, name));
  }

  async function save(after: After) {
    const local = checkNewUser(form);
    setBanner(null);
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy(true);
    const r = await call('createUser', { connection, ...createParams(form) });
    setBusy(false);
    if (!r.ok) {
      // The account exists though the create failed: IncompleteUser says so (what was not saved, and why) and offers to finish or delete it.
      if (leftIncomplete(r.error)) {
        setErrors({});
        return setBanner(r.error);
      }
      setErrors(errorsByField(r.error));
      return setBanner(bannerError(r.error, FIELDS));
    }
    const { user, key } = r.value;
    toast('ok', `Saved ${user.username}`);
    const next: Route = after === 'list' ? { name: 'users' } : after === 'continue' ? { name: 'user', id: user.id } : { name: 'user', id: 'new' };
    // A Graphistry makes no key with the account (its users make theirs on their dashboard).
    if (key) useFreshKey.getState().hold(user.username, key, next);
    if (after !== 'another') return navigate(next, { force: true });
    setForm({ ...BLANK_NEW_USER });
    setErrors({});
    setRound((n) => n + 1);
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save('list');
  };

  return (
    <section className="editor">
      <PageHead title="Add user" />
      <FreshKeyNotice />
      <UserModelNotes />
      {/* At the top, where it is seen first: the account exists, so what to do about it comes before the form. */}
      {leftIncomplete(banner) ? <IncompleteUser error={banner} onDeleted={() => setBanner(null)} /> : null}
      <form key={round} onSubmit={onSubmit} noValidate aria-busy={busy || undefined}>
        <div className="card">
          <p className="muted small">
            First a username and a password; then the permissions. {noFirstKey ?? 'The user’s first API key is made with the account and shown once.'}
          </p>
          <AccountFields
            form={form}
            errors={errors}
            autoFocus
            change={(patch) => {
              setForm((f) => ({ ...f, ...patch }));
              setErrors((e) => Object.keys(patch).reduce((left, k) => withoutKey(left, k), e));
            }}
          />
          <div className="grid2">
            <Field
              label="Password"
              type="password"
              required
              autoComplete="new-password"
              value={form.password}
              onChange={(v) => set('password', v)}
              error={errors.password}
              hint={<StrengthHint password={form.password} username={form.username} />}
            />
            <Field
              label="Password again"
              type="password"
              required
              autoComplete="new-password"
              value={form.password2}
              onChange={(v) => set('password2', v)}
              error={errors.password2}
              hint="The same password, to catch a typo."
            />
          </div>
        </div>
        <Permissions form={form} errors={errors} disabled={busy} onChange={(name, v) => set(name, v)} />
        {leftIncomplete(banner) ? null : <ErrorBanner error={banner} />}
        <EditorActions
          disabled={false}
          busy={busy}
          onSave={(after) => void save(after)}
          left={
            <button type="button" className="ghost" onClick={() => navigate({ name: 'users' })}>
              Cancel
            </button>
          }
        />
      </form>
    </section>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { User } from '../../../../src-shared/domain.ts';
import { ErrorBanner, Spinner, when } from '../../components/ui.tsx';
import { useNotOffered } from '../../components/not-offered.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useTitle } from '../../lib/title.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { bannerError, diffPatch, errorsByField, formFromUser, isDirty, withoutKey, withRefusedRolesReset, type UserForm } from './editor-logic.ts';
import { useLeaveGuard } from '../../stores/leave-guard.ts';
import { EditorActions, type After } from './editor-actions.tsx';
import { FreshKeyNotice } from './fresh-key-notice.tsx';
import { Permissions } from './permissions.tsx';
import { AccountFields, UserModelNotes } from './account-fields.tsx';
import { PasswordSection } from './password-section.tsx';
import { LifecycleSection } from './lifecycle-section.tsx';
import { DeleteUser } from './delete-user.tsx';
import { MembershipsSection } from './memberships-section.tsx';

const FIELDS = ['username', 'email', 'is_active', 'is_staff', 'is_superuser'] as const;

/** One user, as Django's admin shows it: the account, its permissions, its password, its dates, and a way to its keys. */
export function ExistingUserEditor({ id }: { id: number }) {
  const navigate = useApp((s) => s.navigate);
  const keysElsewhere = useNotOffered('user_keys');
  const selfId = useApp((s) => s.status?.user?.id);
  const toast = useToasts((s) => s.show);
  const [user, setUser] = useState<User | null>(null);
  const [form, setForm] = useState<UserForm | null>(null);
  const [loadError, setLoadError] = useState<ConsoleError | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const connection = useConnection();
  useTitle(user ? `${user.username} · Users` : 'User');
  useLeaveGuard(user && form && isDirty(form, user) ? `Your changes to ${user.username} are not saved.` : null);

  async function load() {
    setLoadError(null);
    const r = await call('getUser', { connection, id });
    if (!r.ok) return setLoadError(r.error);
    setUser(r.value);
    setForm(formFromUser(r.value));
  }
  // One user per mount: App keys this screen by id.
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by id (and the connection): load reads nothing else
  }, [id]);

  if (loadError) {
    return (
      <section className="editor">
        <h1>User</h1>
        <ErrorBanner error={loadError} onRetry={() => void load()} />
        <button type="button" className="secondary" onClick={() => navigate({ name: 'users' })}>
          Back to users
        </button>
      </section>
    );
  }
  if (!user || !form) {
    return (
      <section className="editor" aria-busy="true">
        <Spinner label="Loading the user" /> <span className="muted">Loading…</span>
      </section>
    );
  }

  const patch = diffPatch(form, user);
  const dirty = Object.keys(patch).length > 0;
  const isSelf = selfId === user.id;
  const set = <K extends keyof UserForm>(name: K, value: UserForm[K]) => {
    setForm({ ...form, [name]: value });
    setErrors((e) => withoutKey(e, name));
  };

  async function save(after: After) {
    if (!user || !dirty) return;
    setBusy(true);
    setBanner(null);
    const r = await call('updateUser', { connection, id: user.id, patch });
    setBusy(false);
    if (!r.ok) {
      setErrors(errorsByField(r.error));
      // The server kept the roles it names as they were: show them so, with its reason beside them.
      // LAST_ORG_ADMIN names is_active: deactivating would leave an organization without an active admin.
      if ((r.error.serverCode === 'LAST_SUPERUSER' || r.error.serverCode === 'LAST_ORG_ADMIN') && form) setForm(withRefusedRolesReset(form, user, r.error));
      return setBanner(bannerError(r.error, FIELDS));
    }
    toast('ok', `Saved ${r.value.username}`);
    if (after === 'list') return navigate({ name: 'users' }, { force: true });
    if (after === 'another') return navigate({ name: 'user', id: 'new' }, { force: true });
    setUser(r.value);
    setForm(formFromUser(r.value));
    setErrors({});
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save('list');
  };

  return (
    <section className="editor">
      <div className="page-head">
        <div>
          <h1>{user.username}</h1>
          <p className="muted small editor-dates">
            Joined {when(user.date_joined)} · Last login {when(user.last_login, 'never')}
            {isSelf ? ' · This is you' : ''}
          </p>
        </div>
        {keysElsewhere ? (
          <p className="small muted head-note">{keysElsewhere}</p>
        ) : (
          <a className="button secondary" href={`#/keys/${user.id}`} onClick={(e) => (e.preventDefault(), navigate({ name: 'keys', userId: user.id }))}>
            API keys
          </a>
        )}
      </div>
      <FreshKeyNotice autoFocus />
      <UserModelNotes />
      <form onSubmit={onSubmit} noValidate aria-busy={busy || undefined}>
        <div className="card">
          <AccountFields
            form={form}
            errors={errors}
            change={(patch) => {
              setForm({ ...form, ...patch });
              setErrors((e) => Object.keys(patch).reduce((left, k) => withoutKey(left, k), e));
            }}
          />
        </div>
        <Permissions form={form} errors={errors} disabled={busy} onChange={(name, v) => set(name, v)} />
        {isSelf && (!form.is_superuser || !form.is_active) ? (
          <div className="banner warn" role="note">
            This is your own account: without superuser status (or if inactive) you can no longer use this console.
          </div>
        ) : null}
        <ErrorBanner error={banner} />
        <EditorActions
          disabled={!dirty}
          busy={busy}
          onSave={(after) => void save(after)}
          left={
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
              Delete
            </button>
          }
        />
      </form>
      {/* Outside the form: Enter in the confirmation box must not submit Save. */}
      <DeleteUser user={user} open={confirming} onClose={() => setConfirming(false)} />
      <PasswordSection user={user} />
      <LifecycleSection user={user} />
      <MembershipsSection user={user} />
    </section>
  );
}

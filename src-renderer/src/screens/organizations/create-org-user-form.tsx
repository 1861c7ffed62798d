import { useId, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { OrgMember, OrgRole } from '../../../../src-shared/domain.ts';
import { ErrorBanner, Field } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { BLANK_NEW_USER, bannerError, checkNewUser, createParams, errorsByField, withoutKey, type NewUserForm } from '../user-editor/editor-logic.ts';
import { useFreshKey } from '../user-editor/fresh-key.ts';
import { StrengthHint } from '../user-editor/strength-hint.tsx';
import { ROLE_LABEL } from './org-logic.ts';

const FIELDS = ['username', 'email', 'password', 'password2', 'role'] as const;

/**
 * "Create user here": a new account made inside the organization in one
 * step (the user, their first API key, the membership: all or nothing on the
 * server). The key is shown once, in the banner above the members.
 */
export function CreateOrgUserForm({ org, orgName, onCreated }: { org: string; orgName: string; onCreated(member: OrgMember): void }) {
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const [form, setForm] = useState<NewUserForm>({ ...BLANK_NEW_USER });
  const [role, setRole] = useState<OrgRole>('member');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const roleId = useId();

  function set<K extends keyof NewUserForm>(name: K, value: NewUserForm[K]) {
    setForm((f) => ({ ...f, [name]: value }));
    setErrors((e) => withoutKey(e, name));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const local = checkNewUser(form);
    if (Object.keys(local).length) return setErrors(local);
    setBusy(true);
    const r = await call('createOrgUser', { connection, org, user: createParams(form), role });
    setBusy(false);
    if (!r.ok) {
      setErrors(errorsByField(r.error));
      return setBanner(bannerError(r.error, FIELDS));
    }
    const { user, key, member } = r.value;
    if (key) useFreshKey.getState().hold(user.username, key, { name: 'organization', org });
    toast('ok', `Created ${user.username} in ${orgName}`);
    setForm({ ...BLANK_NEW_USER });
    setRole('member');
    setErrors({});
    setRound((n) => n + 1);
    onCreated(member);
  }

  return (
    <section className="card" aria-labelledby="org-new-user-h">
      <h2 id="org-new-user-h">Create user here</h2>
      <p className="muted small">A new account that starts as a member (or admin) of {orgName}; their first API key is shown once.</p>
      <form key={round} onSubmit={(e) => void submit(e)} noValidate aria-busy={busy || undefined}>
        <div className="grid2">
          <Field label="Username" required autoComplete="off" value={form.username} onChange={(v) => set('username', v)} error={errors.username} />
          <Field label="Email" type="email" autoComplete="off" value={form.email} onChange={(v) => set('email', v)} error={errors.email} />
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
          />
        </div>
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
            {(Object.keys(ROLE_LABEL) as OrgRole[]).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
          {errors.role ? (
            <div className="field-error" role="alert">
              {errors.role}
            </div>
          ) : null}
        </div>
        <ErrorBanner error={banner} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Create user
          </button>
        </div>
      </form>
    </section>
  );
}

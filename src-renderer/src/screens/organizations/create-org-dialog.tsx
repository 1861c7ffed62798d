import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { JoinPolicy, Organization } from '../../../../src-shared/domain.ts';
import { ErrorBanner, Field } from '../../components/ui.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { errorsByField } from '../user-editor/editor-logic.ts';
import { findUserByName } from './find-user.ts';
import { POLICY_HINT, POLICY_LABEL, slugPreview } from './org-logic.ts';

const FIELDS = ['slug', 'name', 'join_policy', 'admin_user_id'];

/** "Create organization": its id (stored lower-case, shown live), a name, its first admin (you by default) and who may join by SSO. */
export function CreateOrgDialog({ open, onClose }: { open: boolean; onClose(made: Organization | null): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const connection = useConnection();
  const me = useApp((s) => s.status?.user?.username ?? '');
  const toast = useToasts((s) => s.show);
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState('');
  const [policy, setPolicy] = useState<JoinPolicy>('invite_only');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setSlug('');
      setName('');
      setAdmin('');
      setPolicy('invite_only');
      setErrors({});
      setBanner(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const preview = slugPreview(slug);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!preview.slug) return setErrors({ slug: preview.error ?? 'is required' });
    setBusy(true);
    setBanner(null);
    let adminId: number | undefined;
    const who = admin.trim();
    if (who && who !== me) {
      const found = await findUserByName(connection, who);
      if (!found.ok) {
        setBusy(false);
        return found.error ? setBanner(found.error) : setErrors({ admin_user_id: `no user is named “${who}”` });
      }
      adminId = found.id;
    }
    const r = await call('createOrganization', {
      connection,
      slug: preview.slug,
      ...(name.trim() ? { name: name.trim() } : {}),
      join_policy: policy,
      ...(adminId ? { admin_user_id: adminId } : {}),
    });
    setBusy(false);
    if (!r.ok) {
      const fields = errorsByField(r.error);
      setErrors(fields);
      return setBanner(Object.keys(fields).some((f) => FIELDS.includes(f)) ? null : r.error);
    }
    toast('ok', `Created ${r.value.name}`);
    onClose(r.value);
  }

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-t`} onCancel={(e) => (e.preventDefault(), onClose(null))}>
      <h2 id={`${id}-t`}>Create organization</h2>
      <form onSubmit={(e) => void submit(e)} noValidate aria-busy={busy || undefined}>
        <Field
          label="Id"
          required
          autoFocus
          autoComplete="off"
          value={slug}
          onChange={(v) => {
            setSlug(v);
            setErrors(({ slug: _s, ...rest }) => rest);
          }}
          error={errors.slug ?? (slug.trim() && preview.error ? preview.error : undefined)}
          hint={
            preview.slug ? (
              <>
                Stored as <code>{preview.slug}</code>: the id clients sign in with (pygraphistry’s <code>org_name</code>). It cannot change later.
              </>
            ) : (
              'Letters, digits, - and _ (stored lower-case); the id clients sign in with. It cannot change later.'
            )
          }
        />
        <Field label="Name" value={name} onChange={setName} error={errors.name} hint="Shown to people; the id when empty." />
        <Field
          label="First admin"
          value={admin}
          onChange={(v) => {
            setAdmin(v);
            setErrors(({ admin_user_id: _a, ...rest }) => rest);
          }}
          placeholder={me}
          error={errors.admin_user_id}
          hint={`A username; empty: you (${me}).`}
        />
        <div className="field">
          <label htmlFor={`${id}-p`}>SSO users</label>
          <select id={`${id}-p`} value={policy} onChange={(e) => setPolicy(e.target.value as JoinPolicy)} aria-describedby={`${id}-ph`}>
            {(Object.keys(POLICY_LABEL) as JoinPolicy[]).map((p) => (
              <option key={p} value={p}>
                {POLICY_LABEL[p]}
              </option>
            ))}
          </select>
          <div className="hint" id={`${id}-ph`}>
            {POLICY_HINT}
          </div>
        </div>
        <ErrorBanner error={banner} />
        <div className="actions end">
          <button type="button" className="secondary" onClick={() => onClose(null)}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            Create
          </button>
        </div>
      </form>
    </dialog>
  );
}

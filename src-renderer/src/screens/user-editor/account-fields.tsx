import type { UserEditableField } from '../../../../src-shared/domain.ts';
import { Field } from '../../components/ui.tsx';
import { useApp } from '../../stores/app-store.ts';
import type { UserForm } from './editor-logic.ts';

/** How the connected server's user model differs from the console's (a Graphistry's preflight), or null. */
export function useUserModel() {
  return useApp((s) => s.status?.capabilities?.user_model ?? null);
}

/** The fields the server shows but the console cannot change there. */
export function useReadOnly(): ReadonlySet<UserEditableField> {
  const model = useUserModel();
  return new Set(model?.read_only ?? []);
}

/** What the server's user model means for these screens, in its own sentences (none on the bundled server). */
export function UserModelNotes() {
  const notes = useUserModel()?.notes ?? [];
  if (notes.length === 0) return null;
  return (
    <div className="banner info user-model-notes" role="note">
      {notes.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}

/**
 * Username and email. Where the server signs users in with their email
 * (Django's USERNAME_FIELD = 'email'), the two are one field, labelled so.
 * Fields the server shows read-only are shown, disabled.
 */
export function AccountFields(props: { form: UserForm; errors: Record<string, string>; change(patch: Partial<UserForm>): void; autoFocus?: boolean }) {
  const model = useUserModel();
  const readOnly = useReadOnly();
  const emailLogin = model?.username_field === 'email';
  const { form, errors, change } = props;
  return (
    <div className="grid2">
      <Field
        label={emailLogin ? 'Email (sign-in name)' : 'Username'}
        type={emailLogin ? 'email' : 'text'}
        required
        autoFocus={props.autoFocus}
        autoComplete="off"
        value={form.username}
        onChange={(v) => change(emailLogin ? { username: v, email: v } : { username: v })}
        error={errors.username ?? (emailLogin ? errors.email : undefined)}
        disabled={readOnly.has('username')}
        hint={emailLogin ? 'This server signs users in with their email: it is their username too.' : 'Letters, digits and @ . + - _ only.'}
      />
      {emailLogin ? null : (
        <Field
          label="Email"
          type="email"
          autoComplete="off"
          value={form.email}
          onChange={(v) => change({ email: v })}
          error={errors.email}
          disabled={readOnly.has('email')}
        />
      )}
    </div>
  );
}

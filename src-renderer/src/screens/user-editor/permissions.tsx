import { Check } from '../../components/ui.tsx';
import type { UserForm } from './editor-logic.ts';
import { useReadOnly } from './account-fields.tsx';

type Flag = 'is_active' | 'is_staff' | 'is_superuser';

const FLAGS: ReadonlyArray<{ name: Flag; label: string; explain: string }> = [
  { name: 'is_active', label: 'Active', explain: 'Can sign in and use their API keys. Untick instead of deleting: their sessions and keys stop at once.' },
  { name: 'is_staff', label: 'Staff status', explain: 'May use the shared notebook server and the investigation tool.' },
  { name: 'is_superuser', label: 'Superuser status', explain: 'Everything in this console: all users, keys and settings.' },
];

/** Active, staff and superuser, each with what it grants, and the server's refusal (the last superuser) right under it. */
export function Permissions(props: { form: UserForm; errors: Record<string, string>; disabled?: boolean; onChange(name: Flag, value: boolean): void }) {
  // Shown read-only by the server's admin (e.g. is_superuser in readonly_fields): shown as it is, not changeable here.
  const readOnly = useReadOnly();
  return (
    <fieldset className="card permissions">
      <legend>Permissions</legend>
      {FLAGS.map((f) => (
        <Check
          key={f.name}
          name={f.name}
          label={f.label}
          explain={readOnly.has(f.name) ? `${f.explain} This server shows it read-only: change it on the server itself.` : f.explain}
          checked={props.form[f.name]}
          disabled={props.disabled || readOnly.has(f.name)}
          error={props.errors[f.name]}
          onChange={(v) => props.onChange(f.name, v)}
        />
      ))}
    </fieldset>
  );
}

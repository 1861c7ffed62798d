import { Check } from '../../components/ui.tsx';
import type { UserForm } from './editor-logic.ts';

type Flag = 'is_active' | 'is_staff' | 'is_superuser';

const FLAGS: ReadonlyArray<{ name: Flag; label: string; explain: string }> = [
  { name: 'is_active', label: 'Active', explain: 'Can sign in and use their API keys. Untick instead of deleting: their sessions and keys stop at once.' },
  { name: 'is_staff', label: 'Staff status', explain: 'May use the shared notebook server and the investigation tool.' },
  { name: 'is_superuser', label: 'Superuser status', explain: 'Everything in this console: all users, keys and settings.' },
];

/** Active, staff and superuser, each with what it grants, and the server's refusal (the last superuser) right under it. */
export function Permissions(props: { form: UserForm; errors: Record<string, string>; disabled?: boolean; onChange(name: Flag, value: boolean): void }) {
  return (
    <fieldset className="card permissions">
      <legend>Permissions</legend>
      {FLAGS.map((f) => (
        <Check
          key={f.name}
          name={f.name}
          label={f.label}
          explain={f.explain}
          checked={props.form[f.name]}
          disabled={props.disabled}
          error={props.errors[f.name]}
          onChange={(v) => props.onChange(f.name, v)}
        />
      ))}
    </fieldset>
  );
}

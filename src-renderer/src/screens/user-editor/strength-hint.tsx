import { passwordStrength } from './editor-logic.ts';

/** Under a password field: a small bar and a word. The server's rules still decide (and their message shows at the field). */
export function StrengthHint({ password, username }: { password: string; username: string }) {
  const s = passwordStrength(password, username);
  return (
    <span className="strength" data-level={s.level}>
      <span className="strength-bar" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </span>
      <span>{[s.label, s.advice].filter(Boolean).join(': ')}</span>
    </span>
  );
}

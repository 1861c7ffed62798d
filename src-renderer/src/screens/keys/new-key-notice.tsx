import { useEffect, useRef } from 'react';
import type { NewPersonalKey } from '../../../../src-shared/domain.ts';
import { KeyCopyButtons } from '../../components/key-copy-buttons.tsx';
import { when } from '../../components/ui.tsx';

/**
 * The only time a key's secret is on screen. It lives in the parent's state
 * until Done (or leaving the screen); nothing stores it. Focus moves to Copy
 * so a keyboard user is already where they need to be.
 */
export function NewKeyNotice({ created, onDone }: { created: NewPersonalKey; onDone(): void }) {
  const copyRef = useRef<HTMLButtonElement>(null);
  useEffect(() => copyRef.current?.focus(), [created]);
  return (
    <section className="banner warn once-notice" aria-label="New key">
      <div className="once-body">
        <strong>Copy this key now: it is shown once.</strong>
        <p className="small">
          “{created.key.name}” · {created.key.expires_at ? `expires ${when(created.key.expires_at)}` : 'never expires'}. Send it as the{' '}
          <code>Authorization</code> header; Graphistry&apos;s clients exchange it for a JWT.
        </p>
        <div className="secret">
          <code>{created.authorization}</code>
        </div>
        <div className="actions">
          <KeyCopyButtons created={created} copyRef={copyRef} />
          <button type="button" className="ghost" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    </section>
  );
}

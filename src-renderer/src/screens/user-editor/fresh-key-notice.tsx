import { useEffect, useRef } from 'react';
import { copyText } from '../../lib/copy.ts';
import { useFreshKey } from './fresh-key.ts';

/**
 * The new user's first API key, once; Copy puts the whole `PersonalKey id:secret` header value on the clipboard.
 * `autoFocus` moves focus to Copy (after "Save and continue editing" focus would otherwise be lost with the old form).
 */
export function FreshKeyNotice({ autoFocus = false }: { autoFocus?: boolean }) {
  const held = useFreshKey((s) => s.held);
  const clear = useFreshKey((s) => s.clear);
  const copyRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (held && autoFocus) copyRef.current?.focus();
  }, [held, autoFocus]);
  if (!held) return null;
  return (
    <section className="banner warn fresh-key" aria-labelledby="fresh-key-title">
      <div className="fresh-key-body">
        <strong id="fresh-key-title">{held.username}’s first API key: copy it now, it is shown once.</strong>
        <p className="small">
          Send it as the <code>Authorization</code> header; Graphistry’s clients exchange it for a JWT. More keys can be made under API keys.
        </p>
        <div className="secret">
          <code>{held.key.authorization}</code>
          <button type="button" ref={copyRef} onClick={() => void copyText(held.key.authorization, { sensitive: true })}>
            Copy
          </button>
          <button type="button" className="ghost" onClick={clear}>
            Done
          </button>
        </div>
      </div>
    </section>
  );
}

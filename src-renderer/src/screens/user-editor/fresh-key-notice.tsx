import { useEffect, useRef } from 'react';
import { KeyCopyButtons } from '../../components/key-copy-buttons.tsx';
import { useLeaveGuard } from '../../stores/leave-guard.ts';
import { uncopiedMessage, useFreshKey, type Held } from './fresh-key.ts';

/**
 * New users' first API keys, each once, until dismissed. `autoFocus` moves
 * focus to the newest key's Copy (after "Save and continue editing" focus
 * would otherwise be lost with the old form).
 */
export function FreshKeyNotice({ autoFocus = false }: { autoFocus?: boolean }) {
  const held = useFreshKey((s) => s.held);
  useLeaveGuard(uncopiedMessage(held));
  if (held.length === 0) return null;
  return (
    <div className="fresh-keys">
      {held.map((h, i) => (
        <FreshKey key={h.key.id} held={h} autoFocus={autoFocus && i === held.length - 1} />
      ))}
    </div>
  );
}

function FreshKey({ held, autoFocus }: { held: Held; autoFocus: boolean }) {
  const copyRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (autoFocus) copyRef.current?.focus();
  }, [autoFocus]);
  const titleId = `fresh-key-${held.key.id}`;
  return (
    <section className="banner warn fresh-key" aria-labelledby={titleId}>
      <div className="fresh-key-body">
        <strong id={titleId}>{held.username}’s first API key: copy it now, it is shown once.</strong>
        <p className="small">
          Send it as the <code>Authorization</code> header; Graphistry’s clients exchange it for a JWT (pygraphistry takes the id and the secret apart). More
          keys can be made under API keys.
        </p>
        <div className="secret">
          <code>{held.key.authorization}</code>
        </div>
        <div className="actions">
          <KeyCopyButtons created={held.key} copyRef={copyRef} onCopied={() => useFreshKey.getState().copied(held.key.id)} />
          <button type="button" className="ghost" onClick={() => useFreshKey.getState().dismiss(held.key.id)}>
            {held.copied ? 'Done' : 'Dismiss'}
          </button>
          {held.copied ? <span className="small muted">Copied</span> : null}
        </div>
      </div>
    </section>
  );
}

import type { ReactNode } from 'react';
import { Spinner } from '../../components/ui.tsx';

export type After = 'list' | 'continue' | 'another';

/**
 * Django admin's row of buttons. "Save" is the form's one submit button, so
 * Enter in any field means Save; the other two say where to go afterwards.
 */
export function EditorActions(props: { disabled: boolean; busy: boolean; onSave(after: After): void; left?: ReactNode }) {
  const off = props.disabled || props.busy;
  return (
    <div className="editor-actions">
      <div className="editor-actions-left">{props.left}</div>
      <div className="editor-actions-right">
        <span className="busy-slot" aria-live="polite">
          {props.busy ? <Spinner label="Saving" /> : null}
        </span>
        <button type="button" className="secondary" disabled={off} onClick={() => props.onSave('another')}>
          Save and add another
        </button>
        <button type="button" className="secondary" disabled={off} onClick={() => props.onSave('continue')}>
          Save and continue editing
        </button>
        <button type="submit" disabled={off}>
          Save
        </button>
      </div>
    </div>
  );
}

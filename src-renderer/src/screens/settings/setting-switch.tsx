import { useId } from 'react';

/**
 * A checkbox with role="switch": it applies at once (no Save button), which
 * is what a switch promises and a checkbox does not. The visible On/Off is
 * hidden from screen readers, which announce the switch state themselves.
 */
export function SettingSwitch(props: { label: string; explain: string; on: boolean; busy: boolean; note: string; onChange(v: boolean): void }) {
  const id = useId();
  return (
    <div className="setting-row">
      <div className="setting-text">
        <label htmlFor={id}>{props.label}</label>
        <div className="hint" id={`${id}-x`}>
          {props.explain}
        </div>
        <div className="hint setting-note">{props.note}</div>
      </div>
      <div className="setting-control">
        <span className="small muted" aria-hidden="true">
          {props.on ? 'On' : 'Off'}
        </span>
        <input
          id={id}
          type="checkbox"
          role="switch"
          className="switch"
          checked={props.on}
          aria-describedby={`${id}-x`}
          aria-busy={props.busy || undefined}
          onChange={(e) => {
            if (!props.busy) props.onChange(e.target.checked);
          }}
        />
      </div>
    </div>
  );
}

import type { SettingView } from '../../../../src-shared/domain.ts';
import { SettingSwitch } from './setting-switch.tsx';
import { KNOWN_SETTINGS, defaultNote, shownValue } from './settings-logic.ts';

/**
 * The server's settings the console has no words of its own for (a remote
 * Graphistry's django-constance settings): each switch with the server's own
 * help text, and everything that is not a switch shown as it is, read-only.
 */
export function OtherSettings(props: { settings: readonly SettingView[]; pending: ReadonlySet<string>; change(key: string, value: boolean): void }) {
  const others = props.settings.filter((s) => !KNOWN_SETTINGS.includes(s.key));
  if (others.length === 0) return null;
  return (
    <div className="other-settings">
      <h3>Other settings of this server</h3>
      {others.map((s) =>
        s.type === 'boolean' && !s.read_only ? (
          <SettingSwitch
            key={s.key}
            label={s.key}
            explain={s.description || 'No description on the server.'}
            on={s.value === true}
            busy={props.pending.has(s.key)}
            note={defaultNote(s)}
            onChange={(v) => props.change(s.key, v)}
          />
        ) : (
          <div className="setting-row read-only" key={s.key}>
            <div className="setting-text">
              <span className="setting-name">{s.key}</span>
              <div className="hint">{s.description || 'No description on the server.'}</div>
              <div className="hint setting-note">Read-only here: change it in the server's own admin site.</div>
            </div>
            <div className="setting-control">
              <code className="setting-value">{shownValue(s.value)}</code>
            </div>
          </div>
        ),
      )}
    </div>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { SettingView } from '../../../../src-shared/domain.ts';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { changeMessage, undoChange, withValue } from './settings-logic.ts';

/**
 * Runtime settings with optimistic switches: the switch moves at once, the
 * server's answer (with who changed it and when) replaces the list, and a
 * refusal puts back only the value that was refused, so a second switch
 * changed meanwhile is not undone with it.
 */
export function useSettings() {
  const toast = useToasts((s) => s.show);
  const [settings, setSettings] = useState<SettingView[] | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [loading, setLoading] = useState(true);
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const connection = useConnection();
  // An Undo runs later than the render that made it: it reads the list as it is then, not as it was.
  const latest = useRef({ settings, pending });
  latest.current = { settings, pending };

  const load = useCallback(async () => {
    setLoading(true);
    const r = await call('getSettings', { connection });
    setLoading(false);
    if (r.ok) {
      setSettings(r.value);
      setError(null);
    } else setError(r.error);
  }, [connection]);

  useEffect(() => void load(), [load]);

  /** Resolves to the refusal (for a field to show), or null once saved. */
  const change = useCallback(
    async (key: string, value: boolean | string, undoing = false): Promise<ConsoleError | null> => {
      // One request per setting at a time: a second click while the first is in flight would race it.
      if (latest.current.pending.has(key)) return null;
      const before = latest.current.settings?.find((s) => s.key === key)?.value;
      setPending((p) => new Set(p).add(key));
      setSettings((s) => (s ? withValue(s, key, value) : s));
      const r = await call('setSettings', { connection, changes: { [key]: value } });
      setPending((p) => {
        const n = new Set(p);
        n.delete(key);
        return n;
      });
      if (r.ok) {
        setSettings(r.value);
        // The value as the server keeps it (a public URL loses its final slash).
        const saved = r.value.find((x) => x.key === key)?.value;
        // Undo puts back this one setting as it was, on this connection (the toast goes when the console leaves it).
        const back = undoing ? null : undoChange(key, before, saved);
        toast('ok', changeMessage(key, typeof saved === 'boolean' || typeof saved === 'string' ? saved : value), {
          connection,
          ...(back ? { action: { label: 'Undo', run: () => void change(key, back[key]!, true) } } : {}),
        });
        return null;
      }
      setSettings((s) => (s ? withValue(s, key, typeof before === 'boolean' || typeof before === 'string' ? before : !value) : s));
      // A typed value's refusal is shown at its field; a switch's in a toast (the switch has moved back).
      if (typeof value === 'boolean') toast('error', `Not saved: ${r.error.message}`);
      return r.error;
    },
    [connection, toast],
  );

  return { settings, error, loading, pending, load, change };
}

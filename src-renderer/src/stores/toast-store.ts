import { create } from 'zustand';
import { currentConnection, onConnectionChange, useApp } from './app-store.ts';

export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
  /** One button beside the text (Undo); pressing it dismisses the toast. */
  action?: ToastAction;
  /** The connection it speaks of: switching to another drops it (its Undo would act there). */
  connection?: string;
  /** Focus goes to its action when it appears (after a bulk action), so Undo is one key away. */
  focus?: boolean;
  /** Where focus goes when it leaves while holding focus. */
  returnFocus?: () => void;
}

export interface ToastOptions {
  ms?: number;
  action?: ToastAction;
  connection?: string;
  focus?: boolean;
  returnFocus?: () => void;
}

interface ToastState {
  toasts: Toast[];
  show(kind: Toast['kind'], text: string, opts?: number | ToastOptions): void;
  dismiss(id: number): void;
  /** Keep a toast while the admin is on it (focus or pointer inside), and restart its time when they leave. */
  hold(id: number, held: boolean): void;
}

let next = 1;
const timers = new Map<number, { ms: number; timer: ReturnType<typeof setTimeout> | null }>();

/** Short confirmations of what just happened ("Saved", "Copied; the clipboard clears in 45 s"), some with an Undo. */
export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  show(kind, text, opts) {
    const o: ToastOptions = typeof opts === 'number' ? { ms: opts } : (opts ?? {});
    // A toast about a connection the console has already left says what happened there, but offers nothing to do.
    const elsewhere = o.connection !== undefined && o.connection !== currentConnection(useApp.getState());
    // An action needs time to be read and reached.
    const action = elsewhere ? undefined : o.action;
    const ms = o.ms ?? (action ? 12_000 : kind === 'error' ? 8000 : 4000);
    const id = next++;
    const toast: Toast = {
      id,
      kind,
      text,
      ...(action ? { action } : {}),
      ...(o.connection && !elsewhere ? { connection: o.connection } : {}),
      ...(action && o.focus ? { focus: true } : {}),
      ...(o.returnFocus ? { returnFocus: o.returnFocus } : {}),
    };
    set({ toasts: [...get().toasts.slice(-3), toast] });
    timers.set(id, { ms, timer: setTimeout(() => get().dismiss(id), ms) });
  },
  dismiss(id) {
    const t = timers.get(id);
    if (t?.timer) clearTimeout(t.timer);
    timers.delete(id);
    set({ toasts: get().toasts.filter((x) => x.id !== id) });
  },
  hold(id, held) {
    const t = timers.get(id);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    t.timer = held ? null : setTimeout(() => get().dismiss(id), t.ms);
  },
}));

// A toast's Undo acts on the connection it came from: once the console is elsewhere it must not be there to press.
onConnectionChange((connection) => {
  for (const t of useToasts.getState().toasts) if (t.connection !== undefined && t.connection !== connection) useToasts.getState().dismiss(t.id);
});

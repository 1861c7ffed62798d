import { create } from 'zustand';

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
}

interface ToastState {
  toasts: Toast[];
  show(kind: Toast['kind'], text: string, opts?: number | { ms?: number; action?: ToastAction }): void;
  dismiss(id: number): void;
}

let next = 1;

/** Short confirmations of what just happened ("Saved", "Copied; the clipboard clears in 45 s"), some with an Undo. */
export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  show(kind, text, opts) {
    const o = typeof opts === 'number' ? { ms: opts } : (opts ?? {});
    // An action needs time to be read and reached.
    const ms = o.ms ?? (o.action ? 12_000 : kind === 'error' ? 8000 : 4000);
    const id = next++;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, text, ...(o.action ? { action: o.action } : {}) }] });
    setTimeout(() => get().dismiss(id), ms);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

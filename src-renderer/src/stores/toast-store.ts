import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}

interface ToastState {
  toasts: Toast[];
  show(kind: Toast['kind'], text: string, ms?: number): void;
  dismiss(id: number): void;
}

let next = 1;

/** Short confirmations of what just happened ("Saved", "Copied; the clipboard clears in 45 s"). */
export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  show(kind, text, ms = kind === 'error' ? 8000 : 4000) {
    const id = next++;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, text }] });
    setTimeout(() => get().dismiss(id), ms);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

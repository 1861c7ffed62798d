import { useEffect, useRef, useState } from 'react';
import { useToasts, type Toast } from '../stores/toast-store.ts';

const GAP = 12;

/**
 * How far above the window's bottom the toasts stand: clear of a Save bar
 * (the editor's sticky actions) whenever that bar reaches into the bottom of
 * the window, however tall it is after wrapping on a narrow window.
 */
function useLift(active: boolean, key: unknown): number {
  const [lift, setLift] = useState(16);
  useEffect(() => {
    if (!active) return;
    const measure = () => {
      const bar = document.querySelector('.editor-actions');
      const top = bar ? bar.getBoundingClientRect().top : Infinity;
      // Toasts are about 3 rows high: a bar whose top is within that of the bottom would be covered.
      setLift(top < window.innerHeight && top > window.innerHeight - 220 ? window.innerHeight - top + GAP : 16);
    };
    measure();
    window.addEventListener('resize', measure);
    document.addEventListener('scroll', measure, { capture: true, passive: true });
    return () => {
      window.removeEventListener('resize', measure);
      document.removeEventListener('scroll', measure, { capture: true });
    };
  }, [active, key]);
  return lift;
}

/**
 * One toast. With `focus` its action (Undo) takes focus as it appears; while
 * focus or the pointer is on it, it stays; when it leaves holding focus
 * (Undo, ×, Escape or its time), focus goes where `returnFocus` says rather
 * than falling to the page's body.
 */
function ToastItem({ toast: t }: { toast: Toast }) {
  const { dismiss, hold } = useToasts.getState();
  const box = useRef<HTMLDivElement>(null);
  const actionRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (t.focus) actionRef.current?.focus();
    const el = box.current;
    return () => {
      // Unmounting with focus inside: the focused button is gone, so focus would drop to <body>.
      if (el && (el.contains(document.activeElement) || document.activeElement === document.body)) t.returnFocus?.();
    };
  }, [t]);
  const leave = () => {
    dismiss(t.id);
  };
  return (
    <div
      ref={box}
      className={`toast ${t.kind}`}
      onFocus={() => hold(t.id, true)}
      onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && hold(t.id, false)}
      onMouseEnter={() => hold(t.id, true)}
      onMouseLeave={() => !box.current?.contains(document.activeElement) && hold(t.id, false)}
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), leave())}
    >
      <span>{t.text}</span>
      {t.action ? (
        <button
          ref={actionRef}
          type="button"
          className="secondary small"
          onClick={() => {
            leave();
            t.action!.run();
          }}
        >
          {t.action.label}
        </button>
      ) : null}
      <button type="button" className="ghost small" aria-label="Dismiss" onClick={leave}>
        ×
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const lift = useLift(toasts.length > 0, toasts);
  return (
    <div className="toasts" role="status" aria-live="polite" style={{ bottom: lift }}>
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

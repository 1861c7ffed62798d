import { useEffect, useState } from 'react';
import { useToasts } from '../stores/toast-store.ts';

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

export function Toasts() {
  const { toasts, dismiss } = useToasts();
  const lift = useLift(toasts.length > 0, toasts);
  return (
    <div className="toasts" role="status" aria-live="polite" style={{ bottom: lift }}>
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`}>
          <span>{t.text}</span>
          {t.action ? (
            <button
              type="button"
              className="secondary small"
              onClick={() => {
                dismiss(t.id);
                t.action!.run();
              }}
            >
              {t.action.label}
            </button>
          ) : null}
          <button type="button" className="ghost small" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

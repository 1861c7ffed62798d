import { useEffect, useRef } from 'react';

/**
 * What would be lost by leaving the current screen: unsaved edits, a
 * one-time key nobody copied. A screen registers a guard while it holds
 * something; navigation asks each guard, and the first sentence that comes
 * back is put to the admin before leaving. A reload or closing the window
 * gets the browser's own prompt instead.
 */
type Guard = () => string | null;
const guards = new Set<Guard>();

/** The sentence of the first guard that objects to leaving, or null. */
export function leaveObjection(): string | null {
  for (const g of guards) {
    const m = g();
    if (m) return m;
  }
  return null;
}

/** Registers `message` (null: nothing to lose) for as long as the calling component is mounted. */
export function useLeaveGuard(message: string | null): void {
  const latest = useRef(message);
  latest.current = message;
  useEffect(() => {
    const guard: Guard = () => latest.current;
    guards.add(guard);
    return () => {
      guards.delete(guard);
    };
  }, []);
  useEffect(() => {
    if (!message) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [message]);
}

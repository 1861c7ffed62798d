import { useEffect, useRef } from 'react';

/**
 * Calls `fn(value)` once `value` has stopped changing for `ms`, and only for
 * a value not already applied: opening the screen loads on its own, and
 * React's development double-mount must not add a second request.
 */
export function useDebouncedEffect<T>(value: T, ms: number, fn: (value: T) => void): void {
  const applied = useRef(value);
  const latestFn = useRef(fn);
  useEffect(() => {
    latestFn.current = fn;
  });
  useEffect(() => {
    if (Object.is(value, applied.current)) return;
    const t = setTimeout(() => {
      applied.current = value;
      latestFn.current(value);
    }, ms);
    return () => clearTimeout(t);
  }, [value, ms]);
}

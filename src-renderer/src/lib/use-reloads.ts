import { useEffect, useRef } from 'react';
import { useApp } from '../stores/app-store.ts';

/** Runs `load` whenever the admin asks for fresh data (the screen's sidebar entry again, the window regaining focus, Refresh), not on mount. */
export function useReloads(load: () => void): void {
  const reloads = useApp((s) => s.reloads);
  const seen = useRef(reloads);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (reloads === seen.current) return;
    seen.current = reloads;
    latest.current();
  }, [reloads]);
}

import type { BackendFeature } from '../../../src-shared/domain.ts';
import { useApp } from '../stores/app-store.ts';

/** The sentence the connected server gives for a feature it does not offer, or null when it offers it. */
export function useNotOffered(feature: BackendFeature): string | null {
  return useApp((s) => s.status?.capabilities?.unsupported[feature] ?? null);
}

/**
 * In place of a screen's table and form when the server does not offer the
 * feature: what it says about it, plainly (never an empty table, never an
 * error toast).
 */
export function NotOffered({ title, sentence }: { title: string; sentence: string }) {
  return (
    <section className="card not-offered" aria-label={title}>
      <h2>{title}</h2>
      <p>{sentence}</p>
    </section>
  );
}

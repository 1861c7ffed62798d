import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'err' | 'muted';

/**
 * A status word in a coloured pill. The word itself carries the meaning; the
 * colour only helps scanning, so nothing depends on telling colours apart.
 * Shared by the keys, settings (invitations) and audit screens.
 */
export function StatusBadge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge tone-${tone}`}>{children}</span>;
}

/**
 * Compact dates for table cells, where `when()` (medium date + time) would be
 * cut off: the year only when it is not this year, and the full instant in
 * the cell's title. Shared by the keys, invitations and audit tables.
 */
export function shortWhen(iso: string | null | undefined, empty = '—', now: Date = new Date()): string {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return empty;
  const sameYear = d.getFullYear() === now.getFullYear();
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }), hour: 'numeric', minute: '2-digit' });
}

/** A date without the time, for expiries counted in days. */
export function shortDate(iso: string | null | undefined, empty = '—'): string {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return empty;
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
}

/** The exact instant for a title attribute (hover), or nothing. */
export function exact(iso: string | null | undefined): string | undefined {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'long' }) : undefined;
}

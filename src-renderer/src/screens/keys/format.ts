import { formatDate } from '../../../../src-shared/dates.ts';

/**
 * Dates in table cells, in the one format of the console and the server's
 * pages (src-shared/dates.ts): the year always, local time.
 */
export function shortWhen(iso: string | null | undefined, empty = '—'): string {
  return formatDate(iso, { empty });
}

/** A date without the time, for expiries counted in days. */
export function shortDate(iso: string | null | undefined, empty = '—'): string {
  return formatDate(iso, { time: false, empty });
}

/** The exact instant for a title attribute (hover): the same format with seconds and the time zone. */
export function exact(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${formatDate(iso)}:${String(d.getSeconds()).padStart(2, '0')} (${zone})`;
}

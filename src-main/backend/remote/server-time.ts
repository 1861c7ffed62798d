import { attr, find, type Element } from './html.ts';

/**
 * Django renders dates in its current time zone, and every admin page says
 * that zone's offset from UTC on its body (`data-admin-utc-offset`, seconds,
 * for the admin's own calendar widgets). Dates read from a page are turned
 * back into UTC with it. (A zone with daylight saving time gives today's
 * offset, which is an hour off for dates in the other season; Graphistry runs
 * in UTC.)
 */
export function utcOffsetOf(root: Element): number {
  const body = find(root, (e) => e.tagName === 'body');
  const raw = body ? attr(body, 'data-admin-utc-offset') : null;
  return raw && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : 0;
}

function toIso(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetSeconds: number): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offsetSeconds * 1000).toISOString();
}

/** A change form's split date and time inputs (`2024-01-05` and `10:43:07`), as UTC. */
export function isoFromInputs(date: string, time: string, offsetSeconds: number): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(time.trim() || '00:00');
  if (!d || !t) return null;
  return toIso(Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0), offsetSeconds);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function clock(text: string): [number, number] | null {
  const t = text.trim().toLowerCase();
  if (t === 'midnight') return [0, 0];
  if (t === 'noon') return [12, 0];
  const m = /^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?$/.exec(t);
  if (!m) return null;
  const h = Number(m[1]) % 12;
  return [m[3] === 'p' ? h + 12 : h, Number(m[2] ?? 0)];
}

/**
 * A date as a change list shows it: Django's English DATETIME_FORMAT
 * (`Jan. 5, 2024, 10:43 a.m.`, `Sept. 3, 2024, noon`) or an ISO-like format
 * some sites configure. Anything else is null, and the column is read from
 * another source instead (see users-list.ts).
 */
export function isoFromDisplay(text: string, offsetSeconds: number): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text.trim());
  if (iso) return toIso(Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6] ?? 0), offsetSeconds);
  const m = /^([A-Za-z]+)\.? (\d{1,2}), (\d{4}),? (.+)$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase());
  const hm = clock(m[4]!);
  if (month < 0 || !hm) return null;
  return toIso(Number(m[3]), month + 1, Number(m[2]), hm[0], hm[1], 0, offsetSeconds);
}

/**
 * The one way dates are written, in the console and on the server's pages:
 * "12 Jan 2025, 14:05", always with the year and a 24-hour clock, whatever
 * the browser's locale, so the two never disagree about what a date looks
 * like. The console shows local time; the server's pages render without a
 * script, so they show UTC and say so.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export interface DateOptions {
  /** Show the time of day (default true). */
  time?: boolean;
  /** UTC instead of local time, with " UTC" after the time. */
  utc?: boolean;
  /** What an absent or unreadable date shows. */
  empty?: string;
}

const two = (n: number) => String(n).padStart(2, '0');

function parts(d: Date, utc: boolean) {
  return utc
    ? { y: d.getUTCFullYear(), m: d.getUTCMonth(), day: d.getUTCDate(), h: d.getUTCHours(), min: d.getUTCMinutes() }
    : { y: d.getFullYear(), m: d.getMonth(), day: d.getDate(), h: d.getHours(), min: d.getMinutes() };
}

/** "12 Jan 2025, 14:05" (or "12 Jan 2025" with `time: false`); `empty` for no date. */
export function formatDate(iso: string | null | undefined, opts: DateOptions = {}): string {
  const empty = opts.empty ?? '—';
  if (!iso) return empty;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return empty;
  const p = parts(d, opts.utc ?? false);
  const day = `${p.day} ${MONTHS[p.m]} ${p.y}`;
  if (opts.time === false) return day;
  return `${day}, ${two(p.h)}:${two(p.min)}${opts.utc ? ' UTC' : ''}`;
}

/**
 * How long ago, in the largest whole unit and short words that fit a date
 * column: "just now", "5 min ago", "3 hr ago", "3 days ago", "2 mo ago",
 * "1 yr ago" (the widest, "29 days ago", is as wide as "2 years ago"; the
 * spelled-out "11 months ago" would be cut); a time ahead of `now` (a clock
 * apart) reads "just now". `empty` for no date.
 */
export function relativeTime(iso: string | null | undefined, now: Date = new Date(), empty = 'Never'): string {
  if (!iso) return empty;
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return empty;
  const s = Math.max(0, Math.floor((now.getTime() - t) / 1000));
  const units: Array<[number, string, string]> = [
    [365 * 86_400, 'yr', 'yr'],
    [30 * 86_400, 'mo', 'mo'],
    [86_400, 'day', 'days'],
    [3600, 'hr', 'hr'],
    [60, 'min', 'min'],
  ];
  for (const [size, one, many] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${n === 1 ? one : many} ago`;
  }
  return 'just now';
}

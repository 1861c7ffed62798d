import { setImmediate as nextTurn } from 'node:timers/promises';
import { attr, find, type Element } from './html.ts';
import type { WallTime } from './date-reading.ts';

/**
 * Django renders every date in its TIME_ZONE, as wall-clock digits without
 * an offset, and no admin page names that zone: each page says only the
 * zone's offset *now* (`data-admin-utc-offset` on its body, for the admin's
 * calendar widgets). A date from the other side of a daylight-saving change
 * needs the zone's rules, so the console works out which zone it is:
 *
 * - the candidates are the IANA zones (Node's own tz data) whose offset now
 *   is the page's;
 * - a wall time every remaining candidate turns into the same instant is
 *   that instant: no request (any date in today's season, and once the zone
 *   is settled, any date);
 * - where they disagree (a summer date seen in winter, or the hour a
 *   fall-back repeats), one filtered change list asks Django which: the
 *   row's own `date_joined__gte=<instant>&date_joined__lt=<instant + shown
 *   precision>` in absolute time (an offset-bearing ISO value, which Django
 *   compares without any time zone). The answer drops every zone that
 *   predicted otherwise, for the rest of the session: a few such requests
 *   per session (1 for a UTC server, 2 to 4 in Berlin or New York) settle a
 *   zone for every date after, but for the hour a fall-back repeats, which
 *   costs one or two per row shown in it.
 *
 * Nothing falls back to "the offset today" or to UTC: a date no candidate
 * explains, or that Django places in none of them, is an error. What this
 * takes on trust: that the server's tz data and Node's agree on the rules
 * for the dates shown (both follow IANA's; a rule changed in one's newer
 * release and not yet in the other's could place a date an hour off).
 */
export function utcOffsetOf(root: Element): number | null {
  const body = find(root, (e) => e.tagName === 'body');
  const raw = body ? attr(body, 'data-admin-utc-offset') : null;
  return raw && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in seconds, straight from ICU ("12/6/2026, 10:07:35" back to a number). */
function rawOffset(zone: string, instant: number): number {
  const m = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/.exec(formatterOf(zone).format(instant))!;
  const wall = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 1000);
}

/** A zone's offsets over a UTC year and a day either side: [start instant, offset] from the start, transitions found to the second. */
type YearTable = Array<[number, number]>;
const years = new Map<string, YearTable>();

function yearTable(zone: string, year: number): YearTable {
  const key = `${zone} ${year}`;
  let table = years.get(key);
  if (table) return table;
  const from = Date.UTC(year, 0, 1) - DAY;
  const to = Date.UTC(year + 1, 0, 1) + DAY;
  table = [[from, rawOffset(zone, from)]];
  // Weekly steps, then a bisection to the second wherever the offset changed (zones change at most a few times a year).
  for (let t = from; t < to;) {
    const next = Math.min(t + WEEK, to);
    const before = table.at(-1)![1];
    if (rawOffset(zone, next) !== before) {
      let lo = t;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (rawOffset(zone, mid) === before) lo = mid;
        else hi = mid;
      }
      table.push([hi, rawOffset(zone, hi)]);
      t = hi;
    } else t = next;
  }
  years.set(key, table);
  return table;
}

const tableKeys = new Map<string, string>();
/**
 * What decides a zone's instants for a wall time: its tables of the years
 * within 16 hours of it. Zones with the same key give the same instants, so
 * a page works out each wall time once per distinct rule set rather than
 * once per zone (33 zones share today's offset with Berlin; a few rule sets).
 */
function rulesKey(zone: string, wall: number): string {
  const from = new Date(wall - 16 * HOUR).getUTCFullYear();
  const to = new Date(wall + 16 * HOUR).getUTCFullYear();
  let key = '';
  for (let y = from; y <= to; y++) {
    const k = `${zone} ${y}`;
    let t = tableKeys.get(k);
    if (t === undefined) {
      t = JSON.stringify(yearTable(zone, y));
      tableKeys.set(k, t);
    }
    key += t;
  }
  return key;
}

/** The zone's offset at an instant, in seconds. */
export function offsetAt(zone: string, instant: number): number {
  const table = yearTable(zone, new Date(instant).getUTCFullYear());
  let offset = table[0]![1];
  for (const [start, o] of table) {
    if (start > instant) break;
    offset = o;
  }
  return offset;
}

/** The instants a wall time names in a zone: one; two in the hour a fall-back repeats; none in the hour a spring-forward skips. */
export function instantsOf(zone: string, wall: number): number[] {
  const out = new Set<number>();
  // No zone is more than 14 hours from UTC: every offset this wall time could carry is in force within 15 hours of it.
  for (const probe of [wall - 15 * HOUR, wall, wall + 15 * HOUR]) {
    for (const [start, o] of yearTable(zone, new Date(probe).getUTCFullYear())) {
      if (Math.abs(start - wall) > 16 * HOUR) continue;
      const instant = wall - o * 1000;
      if (offsetAt(zone, instant) === o) out.add(instant);
    }
    const o = offsetAt(zone, probe);
    const instant = wall - o * 1000;
    if (offsetAt(zone, instant) === o) out.add(instant);
  }
  return [...out].sort((a, b) => a - b);
}

let allZones: string[] | null = null;
/**
 * Every zone Node knows, UTC first. Making their formatters takes about 80 ms
 * in all, a few to 20 ms each at first (ICU loads its data), so the event
 * loop is handed back whenever a few milliseconds have gone, not every so
 * many zones.
 */
async function zonesWithOffset(offset: number, now: number): Promise<string[]> {
  allZones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  const out: string[] = [];
  let held = performance.now();
  for (const zone of allZones) {
    if (performance.now() - held >= 4) {
      await nextTurn();
      held = performance.now();
    }
    if (rawOffset(zone, now) === offset) out.push(zone);
  }
  return out;
}

/** A date to place in time: a row's field as the page wrote it. */
export interface ShownDate {
  id: number;
  field: 'date_joined' | 'last_login';
  time: WallTime;
}

/** Whether Django holds the row's field in [from, to) (absolute instants, ms): one filtered change list. */
export type InstantProbe = (d: ShownDate, from: number, to: number) => Promise<boolean>;

export interface ServerClock {
  /**
   * UTC ISO instants for dates shown on pages whose offset now was
   * `offsetNow` (seconds): in the order given, each the instant Django holds
   * to the precision the page showed (a minute for a change list, a second
   * for a change form; the seconds a list leaves out read as :00).
   */
  instants(dates: readonly ShownDate[], offsetNow: number, probe: InstantProbe): Promise<string[]>;
  /** The zones still possible (for tests and the bench). */
  candidates(): readonly string[] | null;
}

export class ZoneMismatch extends Error {}

export function createServerClock(): ServerClock {
  let zones: string[] | null = null;
  let zonesFor: number | null = null;

  async function ensureZones(offsetNow: number): Promise<string[]> {
    // The offset now changes twice a year in a zone with daylight saving: then the remaining candidates are asked again.
    if (!zones || zonesFor !== offsetNow) {
      const now = Date.now();
      const fresh = await zonesWithOffset(offsetNow, now);
      zones = zones ? zones.filter((z) => fresh.includes(z)) : fresh;
      if (!zones.length) zones = fresh;
      zonesFor = offsetNow;
    }
    return zones;
  }

  // One placement at a time: fifty change forms read at once would otherwise each ask Django what the first answer settled.
  let queue: Promise<unknown> = Promise.resolve();

  return {
    candidates: () => zones,
    instants(dates, offsetNow, probe) {
      const run = queue.then(async () => {
        try {
          return await place(dates, offsetNow, probe);
        } catch (e) {
          // Whatever went wrong (dates changed while read, rules that differ), the next page starts from every zone again.
          if (e instanceof ZoneMismatch) zones = null;
          throw e;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };

  async function place(dates: readonly ShownDate[], offsetNow: number, probe: InstantProbe): Promise<string[]> {
    const out: Array<number | null> = dates.map((d) => (d.time.offset !== undefined ? d.time.wall - d.time.offset * 1000 : null));
    let live = await ensureZones(offsetNow);
    // For each date still open: each instant it may be, with the zones that say so.
    const options = new Map<number, Map<number, Set<string>>>();
    // Dates Django denied an instant for: what is left for them must be confirmed by Django too, not concluded.
    const denied = new Set<number>();
    const refresh = async () => {
      for (const [i, d] of dates.entries()) {
        if (out[i] !== null) continue;
        // A 200-row page is 400 dates: the event loop is handed back between slices of them.
        if (i % 64 === 63) await nextTurn();
        const byInstant = new Map<number, Set<string>>();
        const byRules = new Map<string, number[]>();
        for (const z of live) {
          const key = rulesKey(z, d.time.wall);
          let instants = byRules.get(key);
          if (!instants) byRules.set(key, (instants = instantsOf(z, d.time.wall)));
          for (const t of instants) byInstant.set(t, (byInstant.get(t) ?? new Set()).add(z));
        }
        const known = options.get(i);
        // An instant Django already denied for this row stays denied.
        if (known) for (const t of byInstant.keys()) if (!known.has(t)) byInstant.delete(t);
        options.set(i, byInstant);
      }
    };
    await refresh();
    for (;;) {
      if (!live.length) throw new ZoneMismatch('no time zone the console knows places these dates as Django does');
      let open = -1;
      for (const [i, byInstant] of options) {
        if (out[i] !== null) continue;
        if (byInstant.size === 0) throw new ZoneMismatch(`Django places ${dates[i]!.field} of user ${dates[i]!.id} at none of the times its time zone allows`);
        if (byInstant.size === 1 && !denied.has(i)) out[i] = [...byInstant.keys()][0]!;
        // date_joined first: it does not change between two requests, so a "no" from Django rules zones out.
        else if (open < 0 || (dates[open]!.field !== 'date_joined' && dates[i]!.field === 'date_joined')) open = i;
      }
      if (open < 0) break;
      const d = dates[open]!;
      const byInstant = options.get(open)!;
      const [instant, backers] = [...byInstant.entries()].sort((a, b) => b[1].size - a[1].size)[0]!;
      if (await probe(d, instant, instant + d.time.precision)) {
        out[open] = instant;
        live = live.filter((z) => backers.has(z));
      } else {
        byInstant.delete(instant);
        denied.add(open);
        // A last login may have moved meanwhile (a sign-in): its "no" says nothing about the zone.
        if (d.field === 'date_joined') live = live.filter((z) => !backers.has(z) || [...byInstant.values()].some((s) => s.has(z)));
      }
      zones = live;
      await refresh();
    }
    return out.map((t) => new Date(t!).toISOString());
  }
}

/**
 * Dates as a Django admin writes them, read back by the formats the admin
 * itself declares (admin-formats.ts), in whatever language it speaks.
 *
 * Everything here yields a *wall time*: the digits on the page, which are
 * the server's local time. Which instant they mean takes the server's time
 * zone rules (server-time.ts), except where the text carries its own offset.
 * A text the format does not describe is null, never a nearby guess: names
 * are matched whole, so a month in a language the console has no names for
 * fails to read instead of reading as another month.
 */
export interface WallTime {
  /** The wall clock's digits as milliseconds since 1970 as if they were UTC. */
  wall: number;
  /** How much the text leaves out: 60,000 when it shows minutes but no seconds. */
  precision: number;
  /** Seconds east of UTC, when the text says (`c`, `O`, `Z`, `U` formats): the instant is then `wall - offset`. */
  offset?: number;
}

/**
 * The month names a format may use, in the admin's language. Only `F`'s
 * are in the catalog the admin hands its calendar; the others are known
 * only in English, and absent (that format unreadable) in another language.
 */
export interface DateNames {
  /** `F`: January … December. */
  months: readonly string[];
  /** `N`: Django's Associated Press abbreviations (Jan., Feb., March …, Sept. …). */
  monthsAp?: readonly string[];
  /** `M`: Jan … Dec; `b` is its lower case. */
  months3?: readonly string[];
  /** `E`: the month as it stands in a date (a genitive in some languages). */
  monthsAlt?: readonly string[];
}

/** Django's own English names (django/utils/dates.py), what an English admin shows and what its translations start from. */
export const ENGLISH_NAMES: Required<DateNames> = {
  months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  monthsAp: ['Jan.', 'Feb.', 'March', 'April', 'May', 'June', 'July', 'Aug.', 'Sept.', 'Oct.', 'Nov.', 'Dec.'],
  months3: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  monthsAlt: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

interface Parts {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  micro?: number;
  offset?: number;
  /** An instant written whole (`c` with an offset, `U`). */
  instant?: number;
}

type Setter = (m: string, p: Parts) => void;
interface Piece {
  re: string;
  set?: Setter;
  /** What this piece pins down: 'minute' and 'second' decide the precision. */
  gives?: 'minute' | 'second';
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A name alternation, longest first (so "June" is not read as "Jun" and a dangling "e"). */
const oneOf = (names: readonly string[]) =>
  `(${[...names]
    .sort((a, b) => b.length - a.length)
    .map(esc)
    .join('|')})`;
const num = (digits: string, key: Exclude<keyof Parts, 'pm'>): Piece => ({ re: `(${digits})`, set: (m, p) => void (p[key] = Number(m)) });
const named = (names: readonly string[] | undefined, lower = false): Piece | null => (names ? namedPiece(names, lower) : null);
const namedPiece = (names: readonly string[], lower: boolean): Piece => ({
  re: oneOf(lower ? names.map((n) => n.toLowerCase()) : names),
  set: (m, p) => void (p.month = (lower ? names.map((n) => n.toLowerCase()) : names).indexOf(m) + 1),
});
const ampm = (am: string, pm: string): Piece => ({ re: oneOf([am, pm]), set: (m, p) => void (p.pm = m === pm) });
/** Hours and minutes on a 12-hour clock with the minutes left out on the hour (Django's `f`). */
const shortClock: Piece = {
  re: '(\\d{1,2}(?::\\d{2})?)',
  set: (m, p) => {
    const [h, mi] = m.split(':');
    p.hour12 = Number(h);
    p.minute = Number(mi ?? 0);
  },
  gives: 'minute',
};

const OFFSET_RE = /^([+-])(\d{2}):?(\d{2})$/;
const offsetOf = (m: string): number | undefined => {
  if (m === 'Z') return 0;
  const o = OFFSET_RE.exec(m);
  return o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 3600 + Number(o[3]) * 60) : undefined;
};

/**
 * One of Django's date format characters (django/utils/dateformat.py, the
 * `date` filter's), or null for those that cannot be read back into a date
 * (`y` drops the century; `I`, `e` and `r` are not used by Django's locales).
 */
function displayPiece(c: string, names: DateNames): Piece | null {
  switch (c) {
    case 'd':
      return num('\\d{2}', 'day');
    case 'j':
      return num('\\d{1,2}', 'day');
    case 'm':
      return num('\\d{2}', 'month');
    case 'n':
      return num('\\d{1,2}', 'month');
    case 'F':
      return named(names.months);
    case 'N':
      return named(names.monthsAp);
    case 'M':
      return named(names.months3);
    case 'b':
      return named(names.months3, true);
    case 'E':
      return named(names.monthsAlt);
    case 'Y':
      return num('\\d{4}', 'year');
    case 'H':
      return num('\\d{2}', 'hour');
    case 'G':
      return num('\\d{1,2}', 'hour');
    case 'h':
      return num('\\d{2}', 'hour12');
    case 'g':
      return num('\\d{1,2}', 'hour12');
    case 'i':
      return { ...num('\\d{2}', 'minute'), gives: 'minute' };
    case 's':
      return { ...num('\\d{2}', 'second'), gives: 'second' };
    case 'u':
      return num('\\d{6}', 'micro');
    case 'a':
      return ampm('a.m.', 'p.m.');
    case 'A':
      return ampm('AM', 'PM');
    case 'f':
      return shortClock;
    case 'P':
      // "midnight", "noon", or `f a` ("10:43 a.m.", "3 p.m.").
      return {
        re: '(midnight|noon|\\d{1,2}(?::\\d{2})? [ap]\\.m\\.)',
        set: (m, p) => {
          if (m === 'midnight' || m === 'noon') {
            p.hour = m === 'noon' ? 12 : 0;
            p.minute = 0;
            return;
          }
          const [clock, half] = m.split(' ');
          shortClock.set!(clock!, p);
          p.pm = half === 'p.m.';
        },
        gives: 'minute',
      };
    case 'O':
      return { re: '([+-]\\d{4})', set: (m, p) => void (p.offset = offsetOf(m)) };
    case 'Z':
      return { re: '(-?\\d{1,5})', set: (m, p) => void (p.offset = Number(m)) };
    case 'T':
      // The zone's abbreviation ("CET"); the numbers around it say the time.
      return { re: '(\\S+)' };
    case 'c':
      return {
        re: '(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?(?:Z|[+-]\\d{2}:\\d{2})?)',
        set: (m, p) => {
          const d = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(.*)$/.exec(m)!;
          Object.assign(p, {
            year: +d[1]!,
            month: +d[2]!,
            day: +d[3]!,
            hour: +d[4]!,
            minute: +d[5]!,
            second: +d[6]!,
            micro: Number((d[7] ?? '').padEnd(6, '0')),
          });
          if (d[8]) p.offset = offsetOf(d[8]);
        },
        gives: 'second',
      };
    case 'U':
      return { re: '(-?\\d+)', set: (m, p) => void (p.instant = Number(m) * 1000), gives: 'second' };
    case 'D':
    case 'l':
      // A weekday: the date beside it says which.
      return { re: '(\\p{L}+\\.?)' };
    case 'S':
      return { re: '(st|nd|rd|th)' };
    case 'w':
    case 'z':
    case 'W':
    case 't':
    case 'L':
    case 'o':
      return { re: '(\\S+)' };
    default:
      return /[A-Za-z]/.test(c) ? null : { re: literal(c) };
  }
}

/** A literal character of a format; any run of spaces matches any run (pages are read with spaces collapsed). */
const literal = (c: string) => (/\s/.test(c) ? '\\s+' : esc(c));

/** Python's strftime directives as Django's form widgets use them (`%d.%m.%Y`, `%H:%M:%S`), in the C locale Django leaves Python in. */
function strftimePiece(c: string): Piece | null {
  const e = ENGLISH_NAMES;
  switch (c) {
    case 'd':
      return num('\\d{2}', 'day');
    case 'm':
      return num('\\d{2}', 'month');
    case 'Y':
      return num('\\d{4}', 'year');
    case 'H':
      return num('\\d{2}', 'hour');
    case 'I':
      return num('\\d{2}', 'hour12');
    case 'p':
      return ampm('AM', 'PM');
    case 'M':
      return { ...num('\\d{2}', 'minute'), gives: 'minute' };
    case 'S':
      return { ...num('\\d{2}', 'second'), gives: 'second' };
    case 'f':
      return num('\\d{6}', 'micro');
    case 'b':
      return named(e.months3);
    case 'B':
      return named(e.months);
    case '%':
      return { re: '%' };
    default:
      return null;
  }
}

export interface DateFormat {
  /** The format as the admin declared it, for messages. */
  source: string;
  parse(text: string): WallTime | null;
}

function compile(source: string, pieces: Piece[]): DateFormat {
  const re = new RegExp(`^${pieces.map((p) => (p.set ? p.re : p.re.replace(/^\(/, '(?:'))).join('')}$`, 'u');
  const setters = pieces.filter((p) => p.set);
  const precision = pieces.some((p) => p.gives === 'second') ? 1000 : pieces.some((p) => p.gives === 'minute') ? 60_000 : null;
  return {
    source,
    parse(text) {
      if (precision === null) return null;
      const m = re.exec(text.replace(/[\s\u00a0]+/g, ' ').trim());
      if (!m) return null;
      const p: Parts = {};
      setters.forEach((s, i) => s.set!(m[i + 1]!, p));
      return wallOf(p, precision);
    },
  };
}

function wallOf(p: Parts, precision: number): WallTime | null {
  if (p.instant !== undefined) return { wall: p.instant, precision, offset: 0 };
  let hour = p.hour;
  if (hour === undefined && p.hour12 !== undefined && p.pm !== undefined) hour = (p.hour12 % 12) + (p.pm ? 12 : 0);
  const { year, month, day } = p;
  if (year === undefined || month === undefined || day === undefined || hour === undefined || p.minute === undefined) return null;
  const second = p.second ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || p.minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, p.minute, second);
  // Date.UTC rolls 31 February into March: such a text is no date.
  if (new Date(wall).getUTCDate() !== day) return null;
  // Django's widgets print no fractions of a second, so a read instant is to the second at best (microseconds are dropped).
  return { wall, precision, ...(p.offset !== undefined ? { offset: p.offset } : {}) };
}

function pieces(format: string, piece: (c: string) => Piece | null, escape: string): Piece[] | null {
  const out: Piece[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === escape && i + 1 < format.length) {
      const next = format[++i]!;
      const p = escape === '%' ? piece(next) : { re: literal(next) };
      if (!p) return null;
      out.push(p);
    } else if (escape === '%') {
      out.push({ re: literal(c) });
    } else {
      const p = piece(c);
      if (!p) return null;
      out.push(p);
    }
  }
  return out;
}

/** A `DATETIME_FORMAT` (Django's `date` filter syntax: `j. F Y H:i`, `N j, Y, P`); null when it cannot be read back to the minute. */
export function displayFormat(format: string, names: DateNames): DateFormat | null {
  const p = pieces(format, (c) => displayPiece(c, names), '\\');
  const f = p ? compile(format, p) : null;
  return f && p!.some((x) => x.gives) ? f : null;
}

/** A strftime input format (`%d.%m.%Y %H:%M:%S`), or a date and a time format joined by a space for Django's split date/time inputs. */
export function inputFormat(format: string): DateFormat | null {
  const p = pieces(format, strftimePiece, '%');
  const f = p ? compile(format, p) : null;
  return f && p!.some((x) => x.gives) ? f : null;
}

// Dates as Django's admin writes them in several languages, read back by the
// formats the admin declares in its JavaScript catalog, and placed in time by
// the server's time zone rules: the parts of issue 18 that need no server.
import { describe, expect, it } from 'vitest';
import { ENGLISH_DEFAULT_FORMATS, readCatalog } from './admin-formats.ts';
import { displayFormat, ENGLISH_NAMES, inputFormat } from './date-reading.ts';
import { createServerClock, instantsOf, offsetAt, type ShownDate } from './server-time.ts';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s);

/** A catalog script as Django 3.2–5.2 write it (json.dumps with indent=2), German. */
const GERMAN_CATALOG = `'use strict';
{
  const globals = this;
  const django = globals.django || (globals.django = {});
  const newcatalog = {
    "%(sel)s of %(cnt)s selected": ["%(sel)s von %(cnt)s ausgew\\u00e4hlt", "%(sel)s von %(cnt)s ausgew\\u00e4hlt"],
    "December": "Dezember",
    "February": "Februar",
    "January": "Januar",
    "July": "Juli",
    "June": "Juni",
    "March": "M\\u00e4rz",
    "May": "Mai",
    "October": "Oktober",
    "Show {braces}": "Zeige {Klammern}"
  };
  for (const key in newcatalog) { django.catalog[key] = newcatalog[key]; }
    django.formats = {
    "DATETIME_FORMAT": "j. F Y H:i",
    "DATETIME_INPUT_FORMATS": ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S.%f"],
    "DATE_INPUT_FORMATS": ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"],
    "TIME_INPUT_FORMATS": ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
  };
}`;

describe('the admin’s declared formats', () => {
  it('reads a German catalog: its DATETIME_FORMAT with its month names, and its first input formats', () => {
    const de = readCatalog(GERMAN_CATALOG)!;
    expect(de.display!.parse('6. Dezember 2026 10:07')).toEqual({ wall: at(2026, 12, 6, 10, 7), precision: 60_000 });
    expect(de.display!.parse('13. März 2024 05:00')).toEqual({ wall: at(2024, 3, 13, 5), precision: 60_000 });
    expect(de.splitInput!.parse('06.12.2026 10:07:54')).toEqual({ wall: at(2026, 12, 6, 10, 7, 54), precision: 1000 });
    expect(de.input!.parse('31.10.2024 02:30:00')).toEqual({ wall: at(2024, 10, 31, 2, 30), precision: 1000 });
    // The regression (issue 18): these read as nothing and became 1970-01-01 or an empty last login.
    expect(ENGLISH_DEFAULT_FORMATS.display!.parse('6. Dezember 2026 10:07')).toBeNull();
    expect(ENGLISH_DEFAULT_FORMATS.splitInput!.parse('06.12.2026 10:07:54')).toBeNull();
  });

  it('reads Django’s English defaults: AP month names, noon, midnight and a.m./p.m., split ISO inputs', () => {
    const en = ENGLISH_DEFAULT_FORMATS;
    expect(en.display!.parse('Jan. 5, 2024, 10:43 a.m.')!.wall).toBe(at(2024, 1, 5, 10, 43));
    expect(en.display!.parse('Sept. 3, 2024, noon')!.wall).toBe(at(2024, 9, 3, 12));
    expect(en.display!.parse('March 1, 2024, midnight')!.wall).toBe(at(2024, 3, 1, 0));
    expect(en.display!.parse('May 5, 2024, 3 p.m.')!.wall).toBe(at(2024, 5, 5, 15));
    expect(en.display!.parse('June 30, 2024, 12:05 a.m.')!.wall).toBe(at(2024, 6, 30, 0, 5));
    expect(en.splitInput!.parse('2024-01-02 01:23:57')).toEqual({ wall: at(2024, 1, 2, 1, 23, 57), precision: 1000 });
  });

  it('refuses rather than guesses: other months’ names, impossible days, formats without minutes or century', () => {
    const de = readCatalog(GERMAN_CATALOG)!;
    expect(de.display!.parse('6. December 2026 10:07')).toBeNull();
    expect(de.display!.parse('31. Februar 2024 10:07')).toBeNull();
    expect(de.display!.parse('6. Dezember 2026 25:07')).toBeNull();
    expect(displayFormat('j. F Y', ENGLISH_NAMES)).toBeNull();
    expect(displayFormat('d.m.y H:i', ENGLISH_NAMES)).toBeNull();
    // Polish writes the month in the genitive (`E`), which the catalog does not carry: not readable, said so.
    expect(displayFormat('j E Y H:i', { months: ['stycznia'] })).toBeNull();
    expect(inputFormat('%d.%m.%y %H:%M')).toBeNull();
  });

  it('takes an offset or an instant the text carries (`c`, `O`, `U`) without any time zone', () => {
    expect(displayFormat('c', ENGLISH_NAMES)!.parse('2024-07-01T10:00:05+02:00')).toEqual({ wall: at(2024, 7, 1, 10, 0, 5), precision: 1000, offset: 7200 });
    expect(displayFormat('Y-m-d H:i O', ENGLISH_NAMES)!.parse('2024-07-01 10:00 -0430')).toEqual({
      wall: at(2024, 7, 1, 10),
      precision: 60_000,
      offset: -16_200,
    });
    expect(displayFormat('\\a\\t U', ENGLISH_NAMES)!.parse('at 1719828005')).toEqual({ wall: at(2024, 7, 1, 10, 0, 5), precision: 1000, offset: 0 });
  });
});

describe('the server’s time zone rules', () => {
  it('knows a zone’s offset on either side of a change, to the second', () => {
    expect(offsetAt('Europe/Berlin', at(2024, 3, 31, 0, 59, 59))).toBe(3600);
    expect(offsetAt('Europe/Berlin', at(2024, 3, 31, 1))).toBe(7200);
    expect(offsetAt('America/New_York', at(2024, 11, 3, 5, 59, 59))).toBe(-14_400);
    expect(offsetAt('America/New_York', at(2024, 11, 3, 6))).toBe(-18_000);
  });

  it('turns a wall time into its instants: one, two in the hour a fall-back repeats, none in the hour skipped', () => {
    expect(instantsOf('Europe/Berlin', at(2024, 7, 1, 12))).toEqual([at(2024, 7, 1, 10)]);
    expect(instantsOf('Europe/Berlin', at(2024, 10, 27, 2, 30))).toEqual([at(2024, 10, 27, 0, 30), at(2024, 10, 27, 1, 30)]);
    expect(instantsOf('Europe/Berlin', at(2024, 3, 31, 2, 30))).toEqual([]);
    expect(instantsOf('Asia/Kolkata', at(2024, 1, 1, 0, 0))).toEqual([at(2023, 12, 31, 18, 30)]);
  });
});

/** Django as a probe sees it: the instants it holds, answering "is this row's field in [from, to)?", counting questions. */
function djangoHolding(truth: Map<string, number>) {
  const asked: string[] = [];
  return {
    asked,
    probe: async (d: ShownDate, from: number, to: number) => {
      asked.push(`${d.id}.${d.field}`);
      const t = truth.get(`${d.id}.${d.field}`)!;
      return t >= from && t < to;
    },
  };
}

/** A row's date as a page in `zone` shows it (to the minute, like a change list). */
function shown(zone: string, id: number, instant: number, field: ShownDate['field'] = 'date_joined'): ShownDate {
  const wall = instant + offsetAt(zone, instant) * 1000;
  return { id, field, time: { wall: wall - (wall % 60_000), precision: 60_000 } };
}

describe('placing shown dates in time', () => {
  const winter = at(2024, 1, 15, 9, 30, 12);
  const summer = at(2024, 7, 15, 9, 30, 12);
  const repeated = at(2024, 10, 27, 1, 30, 40); // 02:30 CET, after 02:30 CEST an hour before

  it('asks nothing where every zone of today’s offset agrees (a UTC server in summer, any date in today’s season)', async () => {
    const clock = createServerClock();
    const django = djangoHolding(new Map([['1.date_joined', summer]]));
    expect(await clock.instants([shown('UTC', 1, summer)], 0, django.probe)).toEqual([new Date(at(2024, 7, 15, 9, 30)).toISOString()]);
    // Zones at +00:00 today include ones with summer time; a summer date in a zone pinned by the server's answer is exact.
    expect(django.asked.length).toBeLessThanOrEqual(1);
  });

  it('settles a daylight-saving zone with a question or two, then reads both seasons and the repeated hour exactly', async () => {
    const clock = createServerClock();
    const truth = new Map([
      ['1.date_joined', winter],
      ['2.date_joined', summer],
      ['3.date_joined', repeated],
      ['3.last_login', summer + 3_600_000],
    ]);
    const django = djangoHolding(truth);
    const dates = [
      shown('Europe/Berlin', 1, winter),
      shown('Europe/Berlin', 2, summer),
      shown('Europe/Berlin', 3, repeated),
      shown('Europe/Berlin', 3, summer + 3_600_000, 'last_login'),
    ];
    const offsetToday = offsetAt('Europe/Berlin', Date.now());
    const minute = (t: number) => new Date(t - (t % 60_000)).toISOString();
    expect(await clock.instants(dates, offsetToday, django.probe)).toEqual([minute(winter), minute(summer), minute(repeated), minute(summer + 3_600_000)]);
    const first = django.asked.length;
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(5);
    expect(clock.candidates()).toContain('Europe/Berlin');
    expect(clock.candidates()).not.toContain('Africa/Lagos');
    // The zone is settled: another page of both seasons costs no question (the repeated hour always costs one).
    const later = [shown('Europe/Berlin', 4, winter + 86_400_000), shown('Europe/Berlin', 5, summer + 86_400_000)];
    truth.set('4.date_joined', winter + 86_400_000).set('5.date_joined', summer + 86_400_000);
    expect(await clock.instants(later, offsetToday, django.probe)).toEqual([minute(winter + 86_400_000), minute(summer + 86_400_000)]);
    expect(django.asked.length).toBe(first);
  });

  it('says so, never guesses, when Django places a date where no zone of its offset would', async () => {
    const clock = createServerClock();
    // A row whose shown time is an hour off any zone of the offset (the data moved between the page and the question).
    const django = djangoHolding(new Map([['1.date_joined', summer + 7_200_000]]));
    await expect(clock.instants([shown('Europe/Berlin', 1, summer)], offsetAt('Europe/Berlin', Date.now()), django.probe)).rejects.toThrow(/places|zone/);
  });
});

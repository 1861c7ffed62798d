import type { AdminSession } from './admin-session.ts';
import { displayFormat, ENGLISH_NAMES, inputFormat, type DateFormat, type DateNames } from './date-reading.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';

/**
 * How the admin site writes dates, as it tells its own calendar widgets: the
 * JavaScript catalog every admin page loads (`<admin>jsi18n/`) holds
 * `django.formats` (DATETIME_FORMAT, DATE_INPUT_FORMATS, … in the language
 * the page is in) and the translations of the month names. Reading dates by
 * these, rather than by English patterns, is what lets a German admin's
 * "6. Dezember 2026 10:07" and "06.12.2026" read at all.
 *
 * Null formats: the admin writes dates in a way the console cannot read
 * back (a language whose month names its catalog does not carry, a format
 * without minutes); those dates are then not read, and the caller says so.
 */
export interface AdminFormats {
  /** How change lists and read-only fields show a date and time (DATETIME_FORMAT). */
  display: DateFormat | null;
  /** How a split date/time input holds one: DATE_INPUT_FORMATS[0] and TIME_INPUT_FORMATS[0], joined by a space. */
  splitInput: DateFormat | null;
  /** How a single date/time input holds one (DATETIME_INPUT_FORMATS[0]). */
  input: DateFormat | null;
}

/** The JSON object assigned after `marker` in the catalog's script (Django writes both with json.dumps). */
function jsonAfter(script: string, marker: RegExp): unknown {
  const m = marker.exec(script);
  if (!m) return null;
  const start = script.indexOf('{', m.index + m[0].length - 1);
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < script.length; i++) {
    const c = script[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      try {
        return JSON.parse(script.slice(start, i + 1));
      } catch {
        return null;
      }
    }
  }
  return null;
}

const first = (v: unknown): string | null => (Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null);

/** The formats and names in a catalog script; null when it holds no `django.formats`. */
export function readCatalog(script: string): AdminFormats | null {
  const formats = jsonAfter(script, /django\.formats\s*=\s*\{/);
  if (!formats || typeof formats !== 'object') return null;
  const f = formats as Record<string, unknown>;
  const catalog = (jsonAfter(script, /(?:const|var|let)\s+newcatalog\s*=\s*\{/) ?? {}) as Record<string, unknown>;
  // gettext's rule, which Django's own templates follow: a string without a translation stays English.
  const tr = (s: string) => (typeof catalog[s] === 'string' ? (catalog[s] as string) : s);
  const months = ENGLISH_NAMES.months.map(tr);
  const english = months.every((m, i) => m === ENGLISH_NAMES.months[i]);
  const names: DateNames = english ? ENGLISH_NAMES : { months };
  const date = first(f.DATE_INPUT_FORMATS);
  const time = first(f.TIME_INPUT_FORMATS);
  const datetime = first(f.DATETIME_INPUT_FORMATS);
  return {
    display: typeof f.DATETIME_FORMAT === 'string' ? displayFormat(f.DATETIME_FORMAT, names) : null,
    splitInput: date && time ? inputFormat(`${date} ${time}`) : null,
    input: datetime ? inputFormat(datetime) : null,
  };
}

/** The admin's formats, from its catalog: one request, asked once per session. */
export async function fetchAdminFormats(session: AdminSession): Promise<AdminFormats> {
  const url = new URL('jsi18n/', session.admin);
  const page = await session.page(url, session.admin);
  if (page.status !== 200) throw failureForPage(page, session.http.host, 'show its date formats (jsi18n)');
  const read = readCatalog(page.body);
  if (!read) throw remoteErrors.unexpected(session.http.host, 'its date formats (jsi18n)');
  return read;
}

/** What an English admin with Django's default settings declares (django/conf/global_settings.py and locale/en): for tests, never a fallback. */
export const ENGLISH_DEFAULT_FORMATS: AdminFormats = {
  display: displayFormat('N j, Y, P', ENGLISH_NAMES),
  splitInput: inputFormat('%Y-%m-%d %H:%M:%S'),
  input: inputFormat('%Y-%m-%d %H:%M:%S'),
};

import { formatDate } from '../../src-shared/dates.ts';

/**
 * A tiny HTML template tag that escapes every interpolated value unless it is
 * already `SafeHtml` (built by this tag). Arrays are joined; null, undefined
 * and false render nothing. This is the only way pages produce markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** An ISO timestamp for people, in the console's one date format, in UTC (pages have no script to know the reader's zone). */
export function when(iso: string | null | undefined, empty = 'never'): string {
  return formatDate(iso, { utc: true, empty });
}

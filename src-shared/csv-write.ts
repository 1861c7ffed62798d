/**
 * CSV as RFC 4180 writes it (comma-separated, CRLF line ends, a field quoted
 * when it holds a comma, a double quote, CR or LF, quotes doubled inside),
 * with one addition for files people open in a spreadsheet: a text cell
 * beginning with `=`, `+`, `-`, `@`, a tab or a CR is a formula there
 * (`=HYPERLINK("http://evil","click")`, CSV injection: OWASP), so it is
 * written with a leading `'`, which spreadsheets show as text and drop.
 * Shared by the server's exports and the console, so both write the same.
 *
 * @example
 * csvRow(['id', 'username']) // 'id,username\r\n'
 * csvRow([7, '=HYPERLINK("x")']) // '7,"\'=HYPERLINK(""x"")"\r\n'
 */
export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null and undefined are empty, booleans `true`/`false`, numbers as JavaScript writes them. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  // Numbers are never formulas (a negative number stays a number); text is neutralised.
  let text = typeof value === 'string' ? (FORMULA_START.test(value) ? `'${value}` : value) : String(value);
  if (NEEDS_QUOTES.test(text)) text = `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A whole file: the header row, then each record. */
export function csvText(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  let out = csvRow(header);
  for (const r of rows) out += csvRow(r);
  return out;
}

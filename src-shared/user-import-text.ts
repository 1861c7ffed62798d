/**
 * The byte-level half of the user import (user-import.ts): size, encoding and
 * the CSV grammar (RFC 4180), each refusal a sentence the admin can act on.
 */

/** The largest file taken, whole: past it the file is refused before it is read. */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;
/** The most rows one import takes (a header and blank lines are not rows). */
export const IMPORT_MAX_ROWS = 10_000;

/** A refusal of the whole file: nothing in it is judged row by row. */
export interface ImportFileError {
  code: 'FILE_TOO_LARGE' | 'TOO_MANY_ROWS' | 'NOT_UTF8' | 'EMPTY_FILE' | 'NO_ROWS' | 'UNKNOWN_COLUMN' | 'MISSING_COLUMN' | 'BAD_HEADER' | 'BAD_CSV';
  message: string;
  line: number | null;
}

/** The refusal of a file of `size` bytes, past IMPORT_MAX_BYTES (the command line judges a file's size before reading it). */
export function tooLarge(size: number): ImportFileError {
  const mib = (size / 1024 / 1024).toFixed(1);
  return {
    code: 'FILE_TOO_LARGE',
    line: null,
    message: `The file is ${mib} MiB; an import takes at most 8 MiB (about 10,000 rows): split it into smaller files.`,
  };
}

/** One record of cells and the 1-based line of the file it starts on. */
export interface RawRecord {
  line: number;
  cells: string[];
}

/**
 * The file as text: UTF-8 only (a byte-order mark is dropped), else the line
 * of the first byte that is not UTF-8 (a Latin-1 `é` from a spreadsheet's
 * "CSV" export is the usual one).
 */
export function decodeUtf8(bytes: Uint8Array): string | ImportFileError {
  if (bytes.length > IMPORT_MAX_BYTES) return tooLarge(bytes.length);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    const bad = firstBadUtf8Byte(bytes);
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
    return { code: 'NOT_UTF8', line, message: `The file is not UTF-8 (line ${line} holds a byte that is not): save the file as UTF-8 and import it again.` };
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstBadUtf8Byte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    // Over-long forms and surrogates: what the first continuation byte may be after E0, ED, F0 and F4.
    const c1 = b[i + 1] ?? 0;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    i += n + 1;
  }
  return b.length;
}

/** The header's delimiter: a semicolon when the first line has more of them than commas (Excel's CSV in much of Europe). */
export function detectDelimiter(text: string): ',' | ';' {
  const end = text.search(/\r?\n/);
  const first = end < 0 ? text : text.slice(0, end);
  const count = (ch: string) => first.split(ch).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/**
 * RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and
 * line breaks; a record starting on line N reports line N. Blank lines are
 * skipped. A quote left open, or text after a closing quote, is refused with
 * the line the field starts on.
 */
export function parseCsv(text: string, delimiter: ',' | ';'): RawRecord[] | ImportFileError {
  const records: RawRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        const opened = line;
        i++;
        for (;;) {
          if (i >= text.length) return { code: 'BAD_CSV', line: opened, message: `Line ${opened}: a quoted field is never closed (a " is missing).` };
          const ch = text[i]!;
          if (ch === '"' && text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else if (ch === '"') {
            i++;
            break;
          } else {
            if (ch === '\n') line++;
            cell += ch;
            i++;
          }
        }
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          return { code: 'BAD_CSV', line, message: `Line ${line}: text follows a closing quote; inside quotes, write a quote as "".` };
        }
      } else {
        while (i < text.length && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
      }
      cells.push(cell);
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    if (!(cells.length === 1 && cells[0]!.trim() === '')) records.push({ line: start, cells });
  }
  return records;
}

import { emailSchema, normalizeUsername, usernameSchema } from './user-schemas.ts';
import { decodeUtf8, detectDelimiter, IMPORT_MAX_ROWS, parseCsv, type ImportFileError, type RawRecord } from './user-import-text.ts';

export { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, tooLarge, type ImportFileError } from './user-import-text.ts';

/**
 * The user import's one parser: the server, the command line and the
 * console's main process (for a remote Graphistry) read a file through it, so
 * a file means the same everywhere. Pure: bytes in, rows and errors out; what
 * needs the database (a name taken, an unknown organization) is the caller's.
 *
 * @example
 * const parsed = parseUserImport(new TextEncoder().encode('username,email\nana,ana@example.com\n'));
 * // parsed.ok === true; parsed.rows[0] => { line: 2, username: 'ana', email: 'ana@example.com', ... }
 */

/** The columns an import sets, in any order; only `username` is required. */
export const IMPORT_COLUMNS = ['username', 'email', 'is_staff', 'is_superuser', 'is_active', 'organization', 'role'] as const;
/** Columns an export writes that an import reads past, so an exported file imports again. */
export const EXPORT_ONLY_COLUMNS = ['id', 'date_joined', 'last_login', 'sign_in'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export type ImportFormat = 'csv' | 'jsonl';

/** A row as read: blank booleans are absent (the server's default), a blank email or organization null. */
export interface ImportRow {
  line: number;
  username: string;
  email: string | null;
  is_staff?: boolean;
  is_superuser?: boolean;
  is_active?: boolean;
  organization: string | null;
  role: 'admin' | 'member' | null;
}

/** A row refused, with the line it starts on and the column at fault (null: the row as a whole). */
export interface ImportRowError {
  line: number;
  username: string;
  column: ImportColumn | null;
  code: string;
  message: string;
}

export type ParsedImport = { ok: true; format: ImportFormat; rows: ImportRow[]; errors: ImportRowError[] } | { ok: false; error: ImportFileError };

export interface ParseOptions {
  /** Read as this format; otherwise a file whose first character is `{` is JSON lines, any other CSV. */
  format?: ImportFormat | undefined;
  /**
   * The keys under which two names are one person (any key in common is a
   * repeat). Defaults to the NFKC case fold; the server adds its look-alike
   * skeletons (src-server/lib/username-identity.ts), which the console's
   * bundle does not carry.
   */
  sameNameKeys?: ((username: string) => string[]) | undefined;
}

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };
/** What an export puts before a cell starting with = + - @ so a spreadsheet does not run it; read past on import. */
const FORMULA = 'starts with “=”, a spreadsheet formula: an import takes values only';
const NEUTRALISED = /^'(?=[=+\-@])/;

export function parseUserImport(bytes: Uint8Array, opts: ParseOptions = {}): ParsedImport {
  const text = decodeUtf8(bytes);
  if (typeof text !== 'string') return { ok: false, error: text };
  if (text.trim() === '')
    return {
      ok: false,
      error: { code: 'EMPTY_FILE', line: null, message: 'The file is empty: it needs a header row naming the columns, then one row per user.' },
    };
  const format = opts.format ?? (text.trimStart().startsWith('{') ? 'jsonl' : 'csv');
  const table = format === 'jsonl' ? readJsonLines(text) : readCsv(text);
  if ('code' in table) return { ok: false, error: table };
  if (table.records.length === 0) return { ok: false, error: { code: 'NO_ROWS', line: null, message: 'The file has a header row but no users under it.' } };
  if (table.records.length > IMPORT_MAX_ROWS) {
    const n = table.records.length.toLocaleString('en-US');
    return {
      ok: false,
      error: { code: 'TOO_MANY_ROWS', line: null, message: `The file has ${n} rows; an import takes at most 10,000: split it into smaller files.` },
    };
  }
  const rows: ImportRow[] = [];
  const errors: ImportRowError[] = [];
  const seenNames = new Map<string, { line: number; username: string }>();
  const seenEmails = new Map<string, number>();
  const keysOf = opts.sameNameKeys ?? ((name: string) => [normalizeUsername(name).toLowerCase()]);
  for (const record of table.records) {
    const read = readRow(record);
    if ('code' in read) {
      errors.push(read);
      continue;
    }
    const keys = keysOf(read.username);
    const earlier = keys.map((k) => seenNames.get(k)).find((x) => x !== undefined);
    if (earlier) {
      const same = normalizeUsername(earlier.username).toLowerCase() === read.username.toLowerCase();
      const message = same
        ? `repeats the username “${earlier.username}” of line ${earlier.line}`
        : `“${read.username}” looks too much like “${earlier.username}” on line ${earlier.line}`;
      errors.push({ line: read.line, username: read.username, column: 'username', code: 'DUPLICATE_USERNAME', message });
      continue;
    }
    const emailLine = read.email ? seenEmails.get(read.email.toLowerCase()) : undefined;
    if (emailLine !== undefined) {
      errors.push({ line: read.line, username: read.username, column: 'email', code: 'DUPLICATE_EMAIL', message: `repeats the email of line ${emailLine}` });
      continue;
    }
    // Sign-in takes a username or an email in one field, so one row's email must not be another's username.
    const asEmail = seenEmails.get(read.username.toLowerCase());
    const asName = read.email ? seenNames.get(keysOf(read.email)[0]!) : undefined;
    if (asEmail !== undefined || asName !== undefined) {
      const [column, message] =
        asEmail !== undefined ? (['username', `is the email of line ${asEmail}`] as const) : (['email', `is the username of line ${asName!.line}`] as const);
      errors.push({ line: read.line, username: read.username, column, code: column === 'username' ? 'DUPLICATE_USERNAME' : 'DUPLICATE_EMAIL', message });
      continue;
    }
    for (const k of keys) seenNames.set(k, { line: read.line, username: read.username });
    if (read.email) seenEmails.set(read.email.toLowerCase(), read.line);
    rows.push(read);
  }
  return { ok: true, format, rows, errors };
}

interface Table {
  /** Each record's cells by column name (only the columns the import reads). */
  records: Array<{ line: number; cells: Partial<Record<ImportColumn, unknown>>; problem?: string }>;
}

/** The header's names: each known once, `username` present; anything else refused by name. */
function readHeader(names: string[], line: number): ImportFileError | null {
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (seen.has(name)) return { code: 'BAD_HEADER', line, message: `The column “${name}” is named twice in the header.` };
    seen.add(name);
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name) && !(EXPORT_ONLY_COLUMNS as readonly string[]).includes(name)) {
      const shown = name === '' ? 'a column with no name' : `the column “${raw.trim()}”`;
      return {
        code: 'UNKNOWN_COLUMN',
        line,
        message: `The file has ${shown}, which an import does not take: remove it. Columns: ${IMPORT_COLUMNS.join(', ')}.`,
      };
    }
  }
  if (!seen.has('username')) return { code: 'MISSING_COLUMN', line, message: 'The header has no “username” column: every row needs a username.' };
  return null;
}

function readCsv(text: string): Table | ImportFileError {
  const parsed = parseCsv(text, detectDelimiter(text));
  if (!Array.isArray(parsed)) return parsed;
  const [header, ...body] = parsed as RawRecord[];
  if (!header) return { code: 'EMPTY_FILE', line: null, message: 'The file is empty: it needs a header row naming the columns, then one row per user.' };
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const bad = readHeader(header.cells, header.line);
  if (bad) return bad;
  return {
    records: body.map((r) => {
      const cells: Partial<Record<ImportColumn, unknown>> = {};
      names.forEach((name, i) => {
        if ((IMPORT_COLUMNS as readonly string[]).includes(name)) cells[name as ImportColumn] = r.cells[i] ?? '';
      });
      const problem = r.cells.length === names.length ? undefined : `has ${r.cells.length} cells where the header names ${names.length} columns`;
      return { line: r.line, cells, ...(problem ? { problem } : {}) };
    }),
  };
}

function readJsonLines(text: string): Table | ImportFileError {
  const records: Table['records'] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (source === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      records.push({ line: i + 1, cells: {}, problem: 'is not a JSON object' });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      records.push({ line: i + 1, cells: {}, problem: 'is not a JSON object' });
      continue;
    }
    const bad = readHeader(Object.keys(value), i + 1);
    if (bad) return { ...bad, message: `Line ${i + 1}: ${bad.message}` };
    const cells: Partial<Record<ImportColumn, unknown>> = {};
    for (const [k, v] of Object.entries(value)) if ((IMPORT_COLUMNS as readonly string[]).includes(k.toLowerCase())) cells[k.toLowerCase() as ImportColumn] = v;
    records.push({ line: i + 1, cells });
  }
  return { records };
}

/** A cell as text: strings trimmed, numbers and booleans as written, null and absence blank; other JSON refused (undefined). */
function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim().replace(NEUTRALISED, '');
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return undefined;
}

function readRow(r: Table['records'][number]): ImportRow | ImportRowError {
  const rawName = textOf(r.cells.username) ?? '';
  const fail = (column: ImportColumn | null, code: string, message: string): ImportRowError => ({ line: r.line, username: rawName, column, code, message });
  if (r.problem) return fail(null, 'BAD_ROW', r.problem);
  for (const column of IMPORT_COLUMNS) {
    const v = r.cells[column];
    if (textOf(v) === undefined) return fail(column, 'INVALID_VALUE', 'must be text, a number, true or false');
    // The username and email rules refuse these themselves (below): a formula is no name, and no address.
    if (column === 'username' || column === 'email') continue;
    if (typeof v === 'string' && v.trim().startsWith('=')) return fail(column, 'FORMULA_CELL', FORMULA);
  }
  if (rawName === '') return fail('username', 'INVALID_USERNAME', 'is required');
  const name = usernameSchema.safeParse(rawName);
  if (!name.success) return fail('username', 'INVALID_USERNAME', name.error.issues[0]!.message);
  const row: ImportRow = { line: r.line, username: name.data, email: null, organization: null, role: null };
  const emailText = textOf(r.cells.email)!;
  if (emailText !== '') {
    const email = emailSchema.safeParse(emailText);
    if (!email.success) return { ...fail('email', 'INVALID_EMAIL', email.error.issues[0]!.message), username: row.username };
    if (email.data.startsWith('=')) return { ...fail('email', 'INVALID_EMAIL', FORMULA), username: row.username };
    row.email = email.data;
  }
  for (const flag of ['is_staff', 'is_superuser', 'is_active'] as const) {
    const v = textOf(r.cells[flag])!.toLowerCase();
    if (v === '') continue;
    const b = BOOLEANS[v];
    if (b === undefined) return { ...fail(flag, 'INVALID_BOOLEAN', 'must be true/false, 1/0 or yes/no (or blank for the default)'), username: row.username };
    row[flag] = b;
  }
  row.organization = textOf(r.cells.organization)!.toLowerCase() || null;
  const role = textOf(r.cells.role)!.toLowerCase();
  if (role !== '') {
    if (role !== 'admin' && role !== 'member') return { ...fail('role', 'INVALID_ROLE', 'must be admin or member'), username: row.username };
    if (!row.organization) return { ...fail('role', 'ROLE_WITHOUT_ORGANIZATION', 'needs an organization: a role is a role in one'), username: row.username };
    row.role = role;
  }
  return row;
}

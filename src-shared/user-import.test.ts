import { describe, expect, it } from 'vitest';
import { parseUserImport, type ParsedImport } from './user-import.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const ok = (p: ParsedImport) => {
  if (!p.ok) throw new Error(`refused: ${p.error.message}`);
  return p;
};
const refusal = (p: ParsedImport) => {
  if (p.ok) throw new Error('accepted');
  return p.error;
};

describe('reading a user import', () => {
  it('reads a CSV with its columns in any order, booleans spelt several ways, blank meaning the default', () => {
    const p = ok(parseUserImport(bytes('email,is_staff,username,is_active,organization,role\r\nana@example.com,YES,ana,,acme,admin\r\n,0,bob,False,,\r\n')));
    expect(p.format).toBe('csv');
    expect(p.errors).toEqual([]);
    expect(p.rows).toEqual([
      { line: 2, username: 'ana', email: 'ana@example.com', is_staff: true, organization: 'acme', role: 'admin' },
      { line: 3, username: 'bob', email: null, is_staff: false, is_active: false, organization: null, role: null },
    ]);
  });

  it('drops a byte-order mark and detects semicolons from the header', () => {
    const p = ok(parseUserImport(bytes('\uFEFFusername;email\nana;ana@example.com\n')));
    expect(p.rows.map((r) => [r.username, r.email])).toEqual([['ana', 'ana@example.com']]);
  });

  it('reads quoted fields with the delimiter, doubled quotes and line breaks, reporting the line a row starts on', () => {
    const p = ok(parseUserImport(bytes('username,organization\n"ana","acme"\n"b""ob","x\ny"\ncarol,\n')));
    expect(p.rows.map((r) => [r.line, r.username])).toEqual([
      [2, 'ana'],
      [5, 'carol'],
    ]);
    expect(p.errors).toEqual([
      { line: 3, username: 'b"ob', column: 'username', code: 'INVALID_USERNAME', message: 'may contain only letters, digits and @ . + - _' },
    ]);
  });

  it('refuses an unclosed quote with the line it opens on', () => {
    expect(refusal(parseUserImport(bytes('username\nana\n"bob\n')))).toMatchObject({ code: 'BAD_CSV', line: 3 });
  });

  it('refuses a repeated row, a repeat in another case and a look-alike on the later line, naming the earlier one', () => {
    const text = 'username,email\nana,a@x.io\nana,b@x.io\nANA,c@x.io\nаna,d@x.io\nbob,a@x.io\n'; // line 5: Cyrillic а
    const p = ok(parseUserImport(bytes(text), { sameNameKeys: (n) => [n.toLowerCase(), n.toLowerCase().replace('а', 'a')] }));
    expect(p.rows.map((r) => r.line)).toEqual([2]);
    expect(p.errors.map((e) => [e.line, e.code, e.message])).toEqual([
      [3, 'DUPLICATE_USERNAME', 'repeats the username “ana” of line 2'],
      [4, 'DUPLICATE_USERNAME', 'repeats the username “ana” of line 2'],
      [5, 'DUPLICATE_USERNAME', '“аna” looks too much like “ana” on line 2'],
      [6, 'DUPLICATE_EMAIL', 'repeats the email of line 2'],
    ]);
  });

  it("refuses one row's email as another's username, either way round", () => {
    const p = ok(parseUserImport(bytes('username,email\nana@x.io,\nbob,ANA@x.io\ncarl,carl@x.io\ncarl@x.io,\n')));
    expect(p.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [3, 'email', 'is the username of line 2'],
      [5, 'username', 'is the email of line 4'],
    ]);
  });

  it('refuses a formula as a username (the username rule) and as an email (the email rule)', () => {
    const text =
      'username,email,organization\n"=HYPERLINK(""http://evil.example"",""x"")",,\neve,"=HYPERLINK(""http://evil.example"")",\nfay,=1+2@evil.example,\ngil,,=cmd\n';
    const p = ok(parseUserImport(bytes(text)));
    expect(p.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [2, 'username', 'INVALID_USERNAME'],
      [3, 'email', 'INVALID_EMAIL'],
      [4, 'email', 'INVALID_EMAIL'],
      [5, 'organization', 'FORMULA_CELL'],
    ]);
    const q = ok(parseUserImport(bytes('username,email\nev=il,\neve,ev=il\n')));
    expect(q.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'INVALID_USERNAME'],
      [3, 'INVALID_EMAIL'],
    ]);
  });

  it("reads past an export's neutralising quote before = + - @", () => {
    expect(ok(parseUserImport(bytes("username\n'-dash\n"))).rows[0]!.username).toBe('-dash');
  });

  it('refuses a 10 MB file whole, with a sentence', () => {
    const big = new Uint8Array(10 * 1000 * 1000).fill(0x61);
    expect(refusal(parseUserImport(big))).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringMatching(/at most 8 MiB/) });
  });

  it('refuses more than 10,000 rows whole', () => {
    const rows = Array.from({ length: 10_001 }, (_, i) => `u${i}`).join('\n');
    expect(refusal(parseUserImport(bytes(`username\n${rows}\n`)))).toMatchObject({ code: 'TOO_MANY_ROWS' });
  });

  it('refuses Latin-1 bytes with the line of the first one', () => {
    const latin1 = Uint8Array.from([...bytes('username,email\nana,\nj'), 0xe9, ...bytes('r\xf4me,\n').filter((b) => b < 0x80)]);
    expect(refusal(parseUserImport(latin1))).toEqual({
      code: 'NOT_UTF8',
      line: 3,
      message: 'The file is not UTF-8 (line 3 holds a byte that is not): save the file as UTF-8 and import it again.',
    });
  });

  it('refuses an unknown column by name, and a header without username', () => {
    expect(refusal(parseUserImport(bytes('username,password\nana,x\n')))).toMatchObject({
      code: 'UNKNOWN_COLUMN',
      message: expect.stringContaining('“password”'),
    });
    expect(refusal(parseUserImport(bytes('email\na@x.io\n')))).toMatchObject({ code: 'MISSING_COLUMN' });
  });

  it("takes an export's own columns and ignores them, so an export imports again", () => {
    const p = ok(parseUserImport(bytes('id,username,date_joined,last_login,sign_in\n7,ana,2026-01-01T00:00:00Z,,password\n')));
    expect(p.rows).toEqual([{ line: 2, username: 'ana', email: null, organization: null, role: null }]);
  });

  it('refuses an empty file and a header alone', () => {
    expect(refusal(parseUserImport(new Uint8Array()))).toMatchObject({ code: 'EMPTY_FILE' });
    expect(refusal(parseUserImport(bytes('\uFEFF\n')))).toMatchObject({ code: 'EMPTY_FILE' });
    expect(refusal(parseUserImport(bytes('username,email\n')))).toMatchObject({ code: 'NO_ROWS' });
  });

  it('gives each bad cell its column and sentence: booleans, roles, a role without organization, a short row', () => {
    const p = ok(parseUserImport(bytes('username,is_staff,organization,role\nana,maybe,,\nbob,,acme,owner\ncarol,,,admin\ndan,1\n')));
    expect(p.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [2, 'is_staff', 'INVALID_BOOLEAN'],
      [3, 'role', 'INVALID_ROLE'],
      [4, 'role', 'ROLE_WITHOUT_ORGANIZATION'],
      [5, null, 'BAD_ROW'],
    ]);
  });

  it('reads JSON lines, the same columns as keys', () => {
    const p = ok(parseUserImport(bytes('{"username":"ana","is_staff":true}\n\n{"username":"ＢＯＢ","email":null}\n[1]\n')));
    expect(p.format).toBe('jsonl');
    expect(p.rows.map((r) => [r.line, r.username, r.is_staff])).toEqual([
      [1, 'ana', true],
      [3, 'BOB', undefined],
    ]);
    expect(p.errors).toMatchObject([{ line: 4, code: 'BAD_ROW' }]);
    expect(refusal(parseUserImport(bytes('{"username":"ana","token":"x"}\n')))).toMatchObject({ code: 'UNKNOWN_COLUMN', line: 1 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '../../src-shared/domain.ts';
import type { ListedUser } from '../../src-shared/user-schemas.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';

/** A minimal RFC 4180 reader for the checks (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) cell += c;
    else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

const COLUMNS = ['id', 'username', 'email', 'is_active', 'is_staff', 'is_superuser', 'date_joined', 'last_login', 'sign_in'];

describe.each(dialects())('users and audit export (%s)', (dialect) => {
  let t: TestApp;
  let admin: SignedUp;
  const get = (url: string, token = admin.token) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await signup(t.app, 'admin');
    // Names a spreadsheet would run as formulas: Django's username characters allow a leading + - @.
    for (const name of ['+cmd', '-2+3', '@SUM', 'plain'])
      await adminCreateUser(t.app, admin.token, { username: name, email: `${name.replace(/^\W+/, 'x')}@corp.example` });
    // 1,200 more, straight into the table: more than two of the export's batches.
    const at = new Date().toISOString();
    for (let i = 0; i < 1200; i++) {
      await t.services.usersRepo.create(t.db.write, {
        username: `bulk${String(i).padStart(4, '0')}`,
        passwordHash: '!',
        staff: i % 10 === 0,
        superuser: false,
        at,
        signedIn: false,
      });
    }
  });
  afterAll(async () => t?.close());

  it('CSV: a header row, every matching user (not a page), RFC 4180, formula cells neutralised, no secrets', async () => {
    const res = await get('/api/v2/admin/users/export');
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(COLUMNS);
    expect(rows.length - 1).toBe(1205);
    const names = rows.slice(1).map((r) => r[1]);
    expect(names).toContain(`'+cmd`);
    expect(names).toContain(`'-2+3`);
    expect(names).toContain(`'@SUM`);
    expect(names).toContain('plain');
    expect(names.every((n) => !/^[=+\-@]/.test(n!))).toBe(true);
    // The list's default ordering (username), as the list shows it.
    const list = json<Page<ListedUser>>(await get('/api/v2/admin/users?page_size=5'));
    expect(rows.slice(1, 6).map((r) => Number(r[0]))).toEqual(list.results.map((u) => u.id));
    const plain = rows.find((r) => r[1] === 'plain')!;
    expect(plain.slice(2, 6)).toEqual(['x@corp.example'.replace('x', 'plain'), 'true', 'false', 'false']);
    expect(plain[8]).toBe('password');
    expect(rows.find((r) => r[1] === 'bulk0001')![8]).toBe('none');
    expect(res.body).not.toMatch(/argon2|password_hash|auth_epoch|\$[0-9a-z]+\$/);
  });

  it('respects the filters, search and ordering, and its count is the list count', async () => {
    const list = json<Page<ListedUser>>(await get('/api/v2/admin/users?is_staff=true&search=bulk&page_size=500'));
    const res = await get('/api/v2/admin/users/export?is_staff=true&search=bulk&ordering=-username');
    const rows = parseCsv(res.body).slice(1);
    expect(rows.length).toBe(list.count);
    expect(rows.length).toBe(120);
    expect(rows[0]![1]).toBe('bulk1190');
    expect(rows.every((r) => r[4] === 'true')).toBe(true);
    const never = parseCsv((await get('/api/v2/admin/users/export?never_signed_in=true')).body).slice(1);
    expect(never.map((r) => r[1])).not.toContain('admin');
    // The four made through the API signed in once (adminCreateUser does); the 1,200 never did.
    expect(never.length).toBe(1200);
  });

  it('JSON: an array of the same records', async () => {
    const res = await get('/api/v2/admin/users/export?format=json&search=plain');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const users = JSON.parse(res.body) as Array<Record<string, unknown>>;
    expect(users).toHaveLength(1);
    expect(Object.keys(users[0]!)).toEqual(COLUMNS);
    expect(users[0]).toMatchObject({ username: 'plain', sign_in: { password: true, sso: [] } });
    expect(JSON.parse((await get('/api/v2/admin/users/export?format=json&search=nobody-at-all')).body)).toEqual([]);
  });

  it('refuses a bad query before sending anything, and non-superusers', async () => {
    for (const qs of ['format=xlsx', 'page=2', 'inactive_days=0']) {
      const res = await get(`/api/v2/admin/users/export?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(json(res).error).toBe('VALIDATION');
    }
    const plain = await adminCreateUser(t.app, admin.token, { username: 'notadmin' });
    expect(json(await get('/api/v2/admin/users/export', plain.token)).error).toBe('SUPERUSER_REQUIRED');
    expect(json(await get('/api/v2/admin/audit/export', plain.token)).error).toBe('SUPERUSER_REQUIRED');
  });

  it('audit: filtered by the user affected, exported as CSV with formula cells neutralised', async () => {
    const victim = json<Page<ListedUser>>(await get('/api/v2/admin/users?search=plain')).results[0]!;
    await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${victim.id}/sign-out`, headers: bearer(admin.token) });
    await t.app.inject({ method: 'POST', url: `/api/v2/admin/users/${victim.id}/require-password-change`, headers: bearer(admin.token) });
    const list = json<Page<{ action: string; target: string }>>(await get(`/api/v2/admin/audit?target_user_id=${victim.id}`));
    expect(list.results.map((e) => e.action).slice(0, 2)).toEqual(['user.require_password_change', 'user.sign_out']);
    expect(list.results.map((e) => e.action)).toContain('user.create');
    expect(list.results.every((e) => e.target === 'plain')).toBe(true);
    const res = await get(`/api/v2/admin/audit/export?target_user_id=${victim.id}`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(['id', 'at', 'actor', 'action', 'outcome', 'target_type', 'target_id', 'target', 'client_ip', 'detail']);
    expect(rows.slice(1).map((r) => r[3])).toEqual(list.results.map((e) => e.action));
    expect(json<Page<unknown>>(await get('/api/v2/admin/audit?target=plain')).count).toBe(list.count);

    // A typed sign-in name is kept as its first characters: `=HY…#hash`, a formula until neutralised.
    await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: '=HYPERLINK("http://evil.example","x")', password: 'whatever it is' } });
    const failures = parseCsv((await get('/api/v2/admin/audit/export?action=auth.login&outcome=failure')).body).slice(1);
    const typed = failures.find((r) => r[2]!.includes('HY'))!;
    expect(typed[2]).toMatch(/^'=HY…#[0-9a-f]{8}$/);
    expect((await get('/api/v2/admin/audit/export?target_user_id=0x2')).statusCode).toBe(400);
  });

  it('the whole log exports in batches: as many rows as the list counts', async () => {
    const at = new Date().toISOString();
    const rows = Array.from({ length: 2100 }, (_, i) => ({ at, actor: 'cli', action: 'test.filler', outcome: 'success', detail: JSON.stringify({ i }) }));
    for (let i = 0; i < rows.length; i += 300)
      await t.db.write
        .insertInto('audit_log')
        .values(rows.slice(i, i + 300))
        .execute();
    const count = json<Page<unknown>>(await get('/api/v2/admin/audit?page_size=1')).count;
    expect(count).toBeGreaterThan(1000);
    const exported = parseCsv((await get('/api/v2/admin/audit/export')).body).slice(1);
    expect(exported.length).toBe(count);
    expect(new Set(exported.map((r) => r[0])).size).toBe(count);
    expect(exported.filter((r) => r[3] === 'test.filler').map((r) => JSON.parse(r[9]!).i)).toEqual(rows.map((_, i) => 2099 - i));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';
import { TEST_PG_URL, urlWithSchema } from '../helpers/postgres.ts';

const cli = { userId: null, username: 'cli', ip: null };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const O = '/api/v2/organizations';
const AO = '/api/v2/admin/organizations';

describe.each(dialects())('an organization never loses its last active admin, however requests race (%s)', (dialect) => {
  let t: TestApp;
  let root: SignedUp;
  afterEach(async () => t?.close());

  /** An organization `acme` whose admins are n new users (each with a token); the superuser `root` is not in it. */
  async function orgWithAdmins(n: number): Promise<SignedUp[]> {
    t = await makeTestApp(dialect);
    root = await signup(t.app, 'root');
    await t.services.orgs.create(cli, { slug: 'acme' }, { admin: null });
    const admins: SignedUp[] = [];
    for (let i = 0; i < n; i++) {
      const a = await adminCreateUser(t.app, root.token, { username: `admin${i}` });
      await t.services.orgMembers.add(cli, 'acme', a.user.id, 'admin');
      admins.push(a);
    }
    return admins;
  }

  async function activeAdmins(): Promise<string[]> {
    const rows = await t.db.read
      .selectFrom('organization_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('u.username')
      .where('m.role', '=', 'admin')
      .where('u.is_active', '=', dialect === 'postgres' ? true : 1)
      .execute();
    return rows.map((r) => r.username);
  }

  function expectOneRefusal(answers: LightMyRequestResponse[], ok: number, field: string | null): LightMyRequestResponse {
    const refused = answers.filter((r) => r.statusCode === 409);
    expect(answers.filter((r) => r.statusCode === ok)).toHaveLength(answers.length - 1);
    expect(refused, answers.map((r) => `${r.statusCode} ${r.body}`).join('\n')).toHaveLength(1);
    const body = json<{ error: string; message: string; fields?: Array<{ field: string }> }>(refused[0]!);
    expect(body.error).toBe('LAST_ORG_ADMIN');
    expect(body.message).toBe('This is the last active admin of “acme”: make another member its admin first (or delete the organization).');
    expect(body.fields?.map((f) => f.field) ?? []).toEqual(field ? [field] : []);
    return refused[0]!;
  }

  it('50 concurrent demotions through the admin API: 49 done, 1 refused LAST_ORG_ADMIN, one admin left', async () => {
    const admins = await orgWithAdmins(50);
    const answers = await Promise.all(
      admins.map((a) => t.app.inject({ method: 'PATCH', url: `${AO}/acme/members/${a.user.id}`, headers: bearer(root.token), payload: { role: 'member' } })),
    );
    expectOneRefusal(answers, 200, 'role');
    expect(await activeAdmins()).toHaveLength(1);
    // Each demotion was audited once; the refusal wrote nothing.
    const audited = await t.db.read.selectFrom('audit_log').select('id').where('action', '=', 'org.member.role').execute();
    expect(audited).toHaveLength(49);
  });

  it('50 admins each demoting themselves at once: the last one is refused', async () => {
    const admins = await orgWithAdmins(50);
    const answers = await Promise.all(
      admins.map((a) => t.app.inject({ method: 'PATCH', url: `${O}/acme/members/${a.user.id}`, headers: bearer(a.token), payload: { role: 'member' } })),
    );
    expectOneRefusal(answers, 200, 'role');
    expect(await activeAdmins()).toHaveLength(1);
  });

  it('a mixed race (demote, remove, leave, deactivate the user, delete the user) keeps exactly one active admin', async () => {
    const admins = await orgWithAdmins(10);
    const ops = admins.map((a, i) => {
      switch (i % 5) {
        case 0:
          return t.app.inject({ method: 'PATCH', url: `${AO}/acme/members/${a.user.id}`, headers: bearer(root.token), payload: { role: 'member' } });
        case 1:
          return t.app.inject({ method: 'DELETE', url: `${AO}/acme/members/${a.user.id}`, headers: bearer(root.token) });
        case 2:
          return t.app.inject({ method: 'POST', url: `${O}/acme/leave`, headers: bearer(a.token) });
        case 3:
          return t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${a.user.id}`, headers: bearer(root.token), payload: { is_active: false } });
        default:
          return t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${a.user.id}`, headers: bearer(root.token) });
      }
    });
    const answers = await Promise.all(ops);
    const refused = answers.filter((r) => r.statusCode === 409);
    expect(refused, answers.map((r) => `${r.statusCode} ${r.body}`).join('\n')).toHaveLength(1);
    expect(json(refused[0]!).error).toBe('LAST_ORG_ADMIN');
    expect(answers.every((r) => r.statusCode === 409 || r.statusCode < 300)).toBe(true);
    expect(await activeAdmins()).toHaveLength(1);
  });

  it('deactivating or deleting the last active admin is refused, naming the organization; an inactive admin counts for nothing', async () => {
    const [a, b] = await orgWithAdmins(2);
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${b!.user.id}`, headers: bearer(root.token), payload: { is_active: false } }))
        .statusCode,
    ).toBe(200);
    const deactivate = await t.app.inject({
      method: 'PATCH',
      url: `/api/v2/admin/users/${a!.user.id}`,
      headers: bearer(root.token),
      payload: { is_active: false },
    });
    expectOneRefusal([deactivate], 200, 'is_active');
    const remove = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${a!.user.id}`, headers: bearer(root.token) });
    expectOneRefusal([remove], 204, null);
    // The inactive admin b can be removed, demoted or deleted freely: the organization keeps a.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${b!.user.id}`, headers: bearer(root.token) })).statusCode).toBe(204);
    // Another admin first, then a may go.
    const c = await adminCreateUser(t.app, root.token, { username: 'carol' });
    await t.services.orgMembers.add(cli, 'acme', c.user.id, 'admin');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/users/${a!.user.id}`, headers: bearer(root.token) })).statusCode).toBe(204);
    expect(await activeAdmins()).toEqual(['carol']);
  });

  it('bulk deactivation of all 50 admins: the last one fails with LAST_ORG_ADMIN, the rest are deactivated', async () => {
    const admins = await orgWithAdmins(50);
    const ids = admins.map((a) => a.user.id);
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/admin/users/set-active', headers: bearer(root.token), payload: { ids, is_active: false } });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<{ changed: unknown[]; failed: Array<{ id: number; code: string; message: string }> }>(res);
    expect(body.changed).toHaveLength(49);
    expect(body.failed).toEqual([
      {
        id: ids[49],
        code: 'LAST_ORG_ADMIN',
        message: 'This is the last active admin of “acme”: make another member its admin first (or delete the organization).',
      },
    ]);
    expect(await activeAdmins()).toEqual(['admin49']);
  });
});

// The interleaving is forced with the accounts lock held from a second connection, so this suite is PostgreSQL's.
describe.runIf(dialects().includes('postgres'))('demotions queued behind the accounts lock (postgres)', () => {
  let t: TestApp;
  let raw: pg.Client | undefined;
  afterEach(async () => {
    await raw?.end().catch(() => undefined);
    raw = undefined;
    await t?.close();
  });

  it('regression: last-org-admin check outside the lock let two queued demotions both pass and leave no admin', async () => {
    t = await makeTestApp('postgres');
    const root = await signup(t.app, 'root');
    await t.services.orgs.create(cli, { slug: 'acme' }, { admin: null });
    const a = await adminCreateUser(t.app, root.token, { username: 'ann' });
    const b = await adminCreateUser(t.app, root.token, { username: 'ben' });
    for (const u of [a, b]) await t.services.orgMembers.add(cli, 'acme', u.user.id, 'admin');
    raw = new pg.Client({ connectionString: urlWithSchema(t.pgSchema!, TEST_PG_URL) });
    await raw.connect();

    for (const round of ['superuser demotes both', 'each demotes themself'] as const) {
      await raw.query('begin');
      await raw.query('select pg_advisory_xact_lock($1)', [0x6772_6170]);
      const demote = (who: SignedUp) =>
        t.app.inject({
          method: 'PATCH',
          url: `${round === 'superuser demotes both' ? AO : O}/acme/members/${who.user.id}`,
          headers: bearer(round === 'superuser demotes both' ? root.token : who.token),
          payload: { role: 'member' },
        });
      const both = Promise.all([demote(a), demote(b)]);
      await sleep(200);
      await raw.query('commit');
      const answers = await both;
      expect(answers.map((r) => r.statusCode).sort(), round).toEqual([200, 409]);
      const admins = await t.db.read.selectFrom('organization_members').select('user_id').where('role', '=', 'admin').execute();
      expect(admins, round).toHaveLength(1);
      // Back to two admins for the next round.
      for (const u of [a, b]) await t.services.orgMembers.setRole(cli, 'acme', u.user.id, 'admin');
    }
  });
});

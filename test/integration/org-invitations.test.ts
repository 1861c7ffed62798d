import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src-server/lib/clock.ts';
import { randomSecret } from '../../src-server/lib/crypto.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';

const cli = { userId: null, username: 'cli', ip: null };
const JOIN = '/api/v2/organizations/join';
const ORGS = '/api/v2/organizations';

interface Created {
  id: string;
  token: string;
  path: string;
  url: string | null;
  role: string;
  status: string;
  note: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_by: number | null;
  used_by_username: string | null;
}

describe.each(dialects())('invitations into an organization (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  // Personal keys, not JWTs: one test moves the clock past a JWT's one-hour lifetime.
  const as = (u: SignedUp) => ({ authorization: u.key.authorization });
  const invite = (u: SignedUp, slug: string, payload: Record<string, unknown> = {}, base = ORGS) =>
    t.app.inject({ method: 'POST', url: `${base}/${slug}/invitations`, headers: as(u), payload });
  const created = async (u: SignedUp, slug: string, payload: Record<string, unknown> = {}, base = ORGS) => {
    const res = await invite(u, slug, payload, base);
    expect(res.statusCode, res.body).toBe(201);
    return json<Created>(res);
  };
  const list = (u: SignedUp, slug: string, query = '', base = ORGS) =>
    t.app.inject({ method: 'GET', url: `${base}/${slug}/invitations${query}`, headers: as(u) });
  const revoke = (u: SignedUp, slug: string, id: string, base = ORGS) =>
    t.app.inject({ method: 'DELETE', url: `${base}/${slug}/invitations/${id}`, headers: as(u) });
  const join = (u: SignedUp, token: string) => t.app.inject({ method: 'POST', url: JOIN, headers: as(u), payload: { token } });
  const inspect = async (token: string) => json<Record<string, unknown>>(await t.app.inject({ method: 'GET', url: `/api/v2/auth/invitations/${token}` }));
  const members = async (slug: string) =>
    (await t.services.orgMembers.list(cli, slug, { page_size: 500 })).results.map((m) => [m.username, m.role, m.invited_by_username]);
  const refusal = (res: Parameters<typeof json>[0]) => [res.statusCode, json(res).error];

  /** root (the first account: superuser), alice (admin of acme), bob and carl (nobody's members yet). */
  async function setUp(opts: Parameters<typeof makeTestApp>[1] = {}) {
    t = await makeTestApp(dialect, opts);
    const root = await signup(t.app, 'root');
    const [alice, bob, carl] = await Promise.all(['alice', 'bob', 'carl'].map((username) => adminCreateUser(t.app, root.token, { username })));
    await t.services.orgs.create(cli, { slug: 'acme', name: 'Acme Corp', admin_user_id: alice!.user.id });
    return { root, alice: alice!, bob: bob!, carl: carl! };
  }

  it('an org admin invites; an existing user joins with the role, the link is used up, a second use is refused', async () => {
    const { alice, bob, carl } = await setUp();
    const inv = await created(alice, 'acme', { role: 'admin', note: 'for Bob' });
    expect(inv).toMatchObject({ role: 'admin', status: 'pending', note: 'for Bob', created_by: 'alice', used_by: null, url: null });
    expect(inv).not.toHaveProperty('grant_staff');
    expect(inv.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inv.path).toBe(`/accounts/invite/${inv.token}/`);
    expect(Date.parse(inv.expires_at) - Date.parse(inv.created_at)).toBe(72 * 3_600_000);
    // An anonymous holder learns which organization and role, never who made it.
    expect(await inspect(inv.token)).toEqual({
      status: 'valid',
      invitation: { expires_at: inv.expires_at, grant_staff: false, note: 'for Bob' },
      organization: { slug: 'acme', name: 'Acme Corp' },
      role: 'admin',
    });
    expect(json<{ results: Created[] }>(await list(alice, 'acme')).results.map((i) => i.id)).toEqual([inv.id]);

    const joined = await join(bob, inv.token);
    expect(joined.statusCode, joined.body).toBe(200);
    expect(json(joined)).toMatchObject({ slug: 'acme', name: 'Acme Corp', role: 'admin', member_count: 2, admin_count: 2 });
    expect(await members('acme')).toEqual([
      ['alice', 'admin', null],
      ['bob', 'admin', 'alice'],
    ]);
    const mine = json<{ results: Array<{ slug: string; role: string }> }>(await t.app.inject({ method: 'GET', url: ORGS, headers: bearer(bob.token) }));
    expect(mine.results.map((o) => [o.slug, o.role])).toEqual([['acme', 'admin']]);

    expect((await inspect(inv.token)).status).toBe('used');
    expect(json<{ results: Created[] }>(await list(alice, 'acme')).results).toEqual([]);
    const all = json<{ results: Created[] }>(await list(alice, 'acme', '?status=all')).results;
    expect(all.map((i) => [i.id, i.status, i.used_by, i.used_by_username])).toEqual([[inv.id, 'used', bob.user.id, 'bob']]);
    expect(refusal(await join(carl, inv.token))).toEqual([410, 'INVITATION_USED']);
    expect(refusal(await join(bob, inv.token))).toEqual([410, 'INVITATION_USED']);

    const audit = await t.services.audit.list({ page: 1, pageSize: 100 });
    const add = audit.results.find((r) => r.action === 'org.member.add' && r.detail?.via === 'invitation');
    expect(add).toMatchObject({ actor: 'bob', target_type: 'organization', target: 'acme', detail: { username: 'bob', role: 'admin', invitation_id: inv.id } });
    expect(audit.results.find((r) => r.action === 'org.invitation.create')).toMatchObject({ actor: 'alice', target: 'acme', detail: { role: 'admin' } });
    expect(
      audit.results
        .filter((r) => r.action === 'invitation.accept')
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['failure', 'failure', 'success']);
    expect(JSON.stringify(audit)).not.toContain(inv.token);

    // The whole link once the server knows its public address.
    await t.services.settings.update(cli, { PUBLIC_URL: 'https://graphistry.example.com/' });
    const withBase = await created(alice, 'acme');
    expect(withBase).toMatchObject({ role: 'member', url: `https://graphistry.example.com/accounts/invite/${withBase.token}/` });
  });

  it('a new person accepts while registration is closed and is a member at once; a deleted organization takes its links with it', async () => {
    const { alice } = await setUp();
    expect(refusal(await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'dana', password: STRONG_PASSWORD } }))).toEqual([
      403,
      'SIGNUPS_CLOSED',
    ]);
    const inv = await created(alice, 'acme');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv.token, username: 'dana', password: STRONG_PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(201);
    const dana = json<{ user: { id: number; is_staff: boolean }; token: string; organization: unknown }>(res);
    expect(dana.user.is_staff).toBe(false);
    expect(dana.organization).toEqual({ slug: 'acme', name: 'Acme Corp', role: 'member' });
    const mine = json<{ results: Array<{ slug: string; role: string }> }>(await t.app.inject({ method: 'GET', url: ORGS, headers: bearer(dana.token) }));
    expect(mine.results.map((o) => [o.slug, o.role])).toEqual([['acme', 'member']]);
    expect(await members('acme')).toContainEqual(['dana', 'member', 'alice']);
    const add = (await t.services.audit.list({ page: 1, pageSize: 100, action: 'org.member.add' })).results;
    expect(add.map((r) => [r.actor, r.target, r.detail?.via])).toContainEqual(['dana', 'acme', 'invitation']);
    // A site invitation still makes an account with no organization.
    const site = await t.services.invitations.create(cli, {});
    const ed = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: site.token, username: 'ed', password: STRONG_PASSWORD },
    });
    expect(json(ed).organization).toBeNull();

    const orphan = await created(alice, 'acme');
    expect((await t.app.inject({ method: 'DELETE', url: `${ORGS}/acme`, headers: as(alice) })).statusCode).toBe(204);
    expect((await inspect(orphan.token)).status).toBe('unknown');
    const late = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: orphan.token, username: 'fay', password: STRONG_PASSWORD },
    });
    expect(refusal(late)).toEqual([404, 'INVITATION_NOT_FOUND']);
    expect(await t.db.read.selectFrom('users').select('id').where('username_lower', '=', 'fay').executeTakeFirst()).toBeUndefined();
  });

  it('a member cannot invite, an admin of one organization cannot touch another’s links, superusers manage every one', async () => {
    const { root, alice, bob, carl } = await setUp();
    await t.services.orgMembers.add(cli, 'acme', bob.user.id, 'member');
    await t.services.orgs.create(cli, { slug: 'beta', admin_user_id: carl.user.id });
    const betaInv = await created(carl, 'beta');

    for (const res of [await invite(bob, 'acme'), await list(bob, 'acme'), await revoke(bob, 'acme', betaInv.id)]) {
      expect(refusal(res)).toEqual([403, 'ORG_ADMIN_REQUIRED']);
    }
    for (const res of [await invite(alice, 'beta'), await list(alice, 'beta'), await revoke(alice, 'beta', betaInv.id)]) {
      expect(refusal(res)).toEqual([403, 'ORG_NOT_MEMBER']);
    }
    // beta's link named through acme, where alice is admin: not one of acme's.
    expect(refusal(await revoke(alice, 'acme', betaInv.id))).toEqual([404, 'INVITATION_NOT_FOUND']);
    expect((await inspect(betaInv.token)).status).toBe('valid');
    expect(refusal(await invite(alice, 'nowhere'))).toEqual([404, 'ORG_NOT_FOUND']);
    expect((await t.app.inject({ method: 'POST', url: `${ORGS}/acme/invitations`, payload: {} })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: JOIN, payload: { token: betaInv.token } })).statusCode).toBe(401);

    const ADMIN = '/api/v2/admin/organizations';
    const byRoot = await created(root, 'beta', { role: 'admin' }, ADMIN);
    expect(byRoot).toMatchObject({ role: 'admin', created_by: 'root' });
    expect(
      json<{ results: Created[] }>(await list(root, 'beta', '', ADMIN))
        .results.map((i) => i.id)
        .sort(),
    ).toEqual([betaInv.id, byRoot.id].sort());
    const withdrawn = await revoke(root, 'beta', betaInv.id, ADMIN);
    expect(json(withdrawn)).toMatchObject({ id: betaInv.id, status: 'revoked' });
    // The admin paths are for superusers only.
    expect(refusal(await list(carl, 'beta', '', ADMIN))).toEqual([403, 'SUPERUSER_REQUIRED']);

    for (const bad of [{ role: 'owner' }, { expires_in_hours: 0 }, { expires_in_hours: 721 }, { note: 'a\u0007b' }, { grant_staff: true }]) {
      expect(refusal(await invite(alice, 'acme', bad)), JSON.stringify(bad)).toEqual([400, 'VALIDATION']);
    }
    expect(refusal(await t.app.inject({ method: 'POST', url: JOIN, headers: as(bob), payload: { token: 'x', extra: 1 } }))).toEqual([400, 'VALIDATION']);
    const revokes = (await t.services.audit.list({ page: 1, pageSize: 100, action: 'org.invitation.revoke' })).results;
    expect(revokes.map((r) => [r.actor, r.target])).toEqual([['root', 'beta']]);
  });

  it('a member already is refused and the link stays usable; site, revoked, expired and unknown links are refused', async () => {
    const clock = manualClock();
    const { root, alice, bob, carl } = await setUp({ clock });
    const inv = await created(alice, 'acme');
    expect(refusal(await join(alice, inv.token))).toEqual([409, 'ALREADY_MEMBER']);
    expect((await inspect(inv.token)).status).toBe('valid');
    expect((await join(bob, inv.token)).statusCode).toBe(200);

    const siteRes = await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: as(root), payload: {} });
    const site = json<Created>(siteRes);
    const notForOrg = await join(carl, site.token);
    expect(refusal(notForOrg)).toEqual([400, 'INVITATION_NOT_FOR_ORG']);
    expect(json(notForOrg).message).toMatch(/makes a new account/);
    expect((await inspect(site.token)).status).toBe('valid');
    expect(await inspect(site.token)).toMatchObject({ organization: null, role: null });

    const withdrawn = await created(alice, 'acme');
    expect(json(await revoke(alice, 'acme', withdrawn.id))).toMatchObject({ id: withdrawn.id, status: 'revoked', revoked_at: clock.now().toISOString() });
    expect((await revoke(alice, 'acme', withdrawn.id)).statusCode).toBe(200);
    expect(refusal(await join(carl, withdrawn.token))).toEqual([410, 'INVITATION_REVOKED']);
    expect(refusal(await revoke(alice, 'acme', inv.id))).toEqual([410, 'INVITATION_USED']);
    expect(refusal(await revoke(alice, 'acme', 'NoSuchInvite1234'))).toEqual([404, 'INVITATION_NOT_FOUND']);

    const short = await created(alice, 'acme', { expires_in_hours: 1 });
    clock.advance(3_600_000);
    expect(refusal(await join(carl, short.token))).toEqual([410, 'INVITATION_EXPIRED']);
    expect(refusal(await join(carl, randomSecret(32)))).toEqual([404, 'INVITATION_NOT_FOUND']);
    expect(await members('acme')).toEqual([
      ['alice', 'admin', null],
      ['bob', 'member', 'alice'],
    ]);
    const failures = (await t.services.audit.list({ page: 1, pageSize: 100, action: 'invitation.accept', outcome: 'failure' })).results;
    expect(failures.map((f) => f.detail?.reason).sort()).toEqual(['INVITATION_EXPIRED', 'INVITATION_REVOKED']);
  });

  it('the site invitation list leaves organization invitations out, and the site path cannot revoke one', async () => {
    const { root, alice } = await setUp();
    const orgInv = await created(alice, 'acme');
    const site = await t.services.invitations.create(cli, { note: 'site' });
    const listed = json<{ results: Array<{ id: string }> }>(
      await t.app.inject({ method: 'GET', url: '/api/v2/admin/invitations?status=all', headers: as(root) }),
    );
    expect(listed.results.map((i) => i.id)).toEqual([site.invitation.id]);
    expect((await t.services.invitations.list({ status: 'all' })).map((i) => i.id)).toEqual([site.invitation.id]);
    const viaSite = await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/invitations/${orgInv.id}`, headers: as(root) });
    expect(refusal(viaSite)).toEqual([404, 'INVITATION_NOT_FOUND']);
    expect((await inspect(orgInv.token)).status).toBe('valid');
  });

  it('ten signed-in users racing on one link: exactly one joins', async () => {
    const { root, alice } = await setUp();
    const racers = await Promise.all(Array.from({ length: 10 }, (_, i) => adminCreateUser(t.app, root.token, { username: `racer${i}` })));
    const inv = await created(alice, 'acme');
    const results = await Promise.all(racers.map((r) => join(r, inv.token)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, ...Array(9).fill(410)]);
    expect(results.filter((r) => r.statusCode === 410).every((r) => json(r).error === 'INVITATION_USED')).toBe(true);
    const winner = racers[results.findIndex((r) => r.statusCode === 200)]!;
    expect((await members('acme')).map((m) => m[0])).toEqual(['alice', winner.user.username]);
    const [row] = json<{ results: Created[] }>(await list(alice, 'acme', '?status=all')).results;
    expect(row).toMatchObject({ status: 'used', used_by: winner.user.id });
  });
});

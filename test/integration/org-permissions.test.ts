import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';

const cli = { userId: null, username: 'cli', ip: null };
const O = '/api/v2/organizations';
const AO = '/api/v2/admin/organizations';

describe.each(dialects())('who may do what in an organization (%s)', (dialect) => {
  let t: TestApp;
  let root: SignedUp;
  let alice: SignedUp;
  let mia: SignedUp;
  let bob: SignedUp;
  afterEach(async () => t?.close());

  /** acme: alice admin, mia member. beta: bob admin. root: superuser, in neither. */
  async function setUp() {
    t = await makeTestApp(dialect);
    root = await signup(t.app, 'root');
    alice = await adminCreateUser(t.app, root.token, { username: 'alice' });
    mia = await adminCreateUser(t.app, root.token, { username: 'mia' });
    bob = await adminCreateUser(t.app, root.token, { username: 'bob' });
    expect((await t.app.inject({ method: 'POST', url: O, headers: bearer(alice.token), payload: { slug: 'acme', name: 'Acme' } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: O, headers: bearer(bob.token), payload: { slug: 'beta' } })).statusCode).toBe(201);
    await t.services.orgMembers.add(cli, 'acme', mia.user.id, 'member');
  }

  const call = (who: SignedUp, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: bearer(who.token), ...(payload ? { payload } : {}) });
  const code = (res: LightMyRequestResponse) => `${res.statusCode} ${res.statusCode >= 400 ? json(res).error : ''}`.trim();

  it('a member reads the organization and its members but cannot manage it', async () => {
    await setUp();
    expect(json(await call(mia, 'GET', `${O}/acme`))).toMatchObject({ slug: 'acme', role: 'member', member_count: 2, admin_count: 1 });
    expect(json<{ count: number }>(await call(mia, 'GET', `${O}/acme/members`)).count).toBe(2);
    const refused = [
      await call(mia, 'PATCH', `${O}/acme`, { name: 'Mine now' }),
      await call(mia, 'PATCH', `${O}/acme/members/${alice.user.id}`, { role: 'member' }),
      await call(mia, 'PATCH', `${O}/acme/members/${mia.user.id}`, { role: 'admin' }),
      await call(mia, 'DELETE', `${O}/acme/members/${alice.user.id}`),
      await call(mia, 'DELETE', `${O}/acme`),
    ];
    expect(refused.map(code)).toEqual(Array(5).fill('403 ORG_ADMIN_REQUIRED'));
    expect(json(refused[0]!).message).toBe('Only an admin of “acme” can do this.');
    expect(json(await call(alice, 'GET', `${O}/acme`))).toMatchObject({ name: 'Acme', role: 'admin' });
    // My organizations: the personal one and acme.
    expect(json(await call(mia, 'GET', O))).toMatchObject({ personal: { slug: 'mia', name: 'mia' }, results: [{ slug: 'acme', role: 'member' }] });
  });

  it('an org admin cannot touch another organization; an unknown one is not found', async () => {
    await setUp();
    const other = [
      await call(alice, 'GET', `${O}/beta`),
      await call(alice, 'GET', `${O}/beta/members`),
      await call(alice, 'PATCH', `${O}/beta`, { name: 'x' }),
      await call(alice, 'PATCH', `${O}/beta/members/${bob.user.id}`, { role: 'member' }),
      await call(alice, 'DELETE', `${O}/beta/members/${bob.user.id}`),
      await call(alice, 'POST', `${O}/beta/leave`),
      await call(alice, 'DELETE', `${O}/beta`),
    ];
    expect(other.map(code)).toEqual(Array(7).fill('403 ORG_NOT_MEMBER'));
    expect(json(other[0]!).message).toBe('You are not a member of “beta”: ask one of its admins for an invitation.');
    expect(code(await call(alice, 'GET', `${O}/nowhere`))).toBe('404 ORG_NOT_FOUND');
    expect(json(await call(alice, 'GET', `${O}/nowhere`)).message).toBe('No organization “nowhere”.');
    // A member id that is not in acme.
    expect(code(await call(alice, 'PATCH', `${O}/acme/members/${bob.user.id}`, { role: 'admin' }))).toBe('404 MEMBER_NOT_FOUND');
    // Superusers manage every organization, member or not.
    expect(json(await call(root, 'GET', `${O}/beta`))).toMatchObject({ slug: 'beta', role: null });
    expect(code(await call(root, 'PATCH', `${O}/beta`, { join_policy: 'self_join' }))).toBe('200');
  });

  it('the admin API is for superusers only', async () => {
    await setUp();
    const refused = [
      await call(alice, 'GET', AO),
      await call(alice, 'POST', AO, { slug: 'gamma' }),
      await call(alice, 'GET', `${AO}/acme`),
      await call(alice, 'POST', `${AO}/acme/members`, { user_id: bob.user.id, role: 'member' }),
      await call(alice, 'POST', `${AO}/acme/users`, { username: 'eve', password: STRONG_PASSWORD }),
      await call(alice, 'GET', `/api/v2/admin/users/${alice.user.id}/organizations`),
    ];
    expect(refused.map(code)).toEqual(Array(6).fill('403 SUPERUSER_REQUIRED'));
    expect(await t.db.read.selectFrom('organizations').select('slug').where('slug', '=', 'gamma').execute()).toEqual([]);
    // Org admins invite; they cannot add existing users directly through the services either.
    const actor = { userId: alice.user.id, username: 'alice', ip: null, requires: 'user' as const };
    await expect(t.services.orgMembers.add(actor, 'acme', bob.user.id, 'member')).rejects.toMatchObject({ code: 'SUPERUSER_REQUIRED' });
    // The superuser does, and sees the lists.
    expect((await call(root, 'POST', `${AO}/acme/members`, { user_id: bob.user.id })).statusCode).toBe(201);
    expect(code(await call(root, 'POST', `${AO}/acme/members`, { user_id: bob.user.id }))).toBe('409 ALREADY_MEMBER');
    expect(code(await call(root, 'POST', `${AO}/acme/members`, { user_id: 999_999 }))).toBe('404 USER_NOT_FOUND');
    const list = json<{ count: number; results: Array<{ slug: string; member_count: number; admin_count: number; role: string | null }> }>(
      await call(root, 'GET', `${AO}?ordering=-member_count`),
    );
    expect(list.results.map((o) => [o.slug, o.member_count, o.admin_count, o.role])).toEqual([
      ['acme', 3, 1, null],
      ['beta', 1, 1, null],
    ]);
    expect(json<{ count: number }>(await call(root, 'GET', `${AO}?search=ET`)).count).toBe(1);
    expect(
      json<{ results: Array<{ slug: string; role: string }> }>(await call(root, 'GET', `/api/v2/admin/users/${bob.user.id}/organizations`)).results,
    ).toEqual([expect.objectContaining({ slug: 'acme', role: 'member' }), expect.objectContaining({ slug: 'beta', role: 'admin' })]);
  });

  it('an org admin demoted, removed or deactivated while their request waited cannot act (checked where the write commits)', async () => {
    await setUp();
    // What alice's guard saw when her requests started.
    const actor = { userId: alice.user.id, username: 'alice', ip: '127.0.0.1', requires: 'user' as const };
    await t.services.orgMembers.setRole(cli, 'acme', mia.user.id, 'admin');
    await t.services.orgMembers.setRole(cli, 'acme', alice.user.id, 'member');
    const writes: Array<[string, () => Promise<unknown>]> = [
      ['orgs.update', () => t.services.orgs.update(actor, 'acme', { name: 'Alice Inc' })],
      ['orgs.remove', () => t.services.orgs.remove(actor, 'acme')],
      ['orgMembers.setRole', () => t.services.orgMembers.setRole(actor, 'acme', mia.user.id, 'member')],
      ['orgMembers.remove', () => t.services.orgMembers.remove(actor, 'acme', mia.user.id)],
    ];
    for (const [name, write] of writes) await expect(write(), name).rejects.toMatchObject({ code: 'ORG_ADMIN_REQUIRED' });
    await t.services.orgMembers.remove(cli, 'acme', alice.user.id);
    for (const [name, write] of writes) await expect(write(), name).rejects.toMatchObject({ code: 'ORG_NOT_MEMBER' });
    await t.services.users.update(cli, alice.user.id, { is_active: false });
    for (const [name, write] of writes) await expect(write(), name).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const byAlice = await t.db.read.selectFrom('audit_log').select('action').where('actor', '=', 'alice').where('action', 'like', 'org.%').execute();
    expect(byAlice).toEqual([{ action: 'org.create' }]);
  });

  it('IS_ORG_CREATION_OPEN off: users are refused, superusers still create', async () => {
    await setUp();
    const off = await call(root, 'PUT', '/api/v2/admin/settings', { IS_ORG_CREATION_OPEN: false });
    expect(off.statusCode, off.body).toBe(200);
    const refused = await call(alice, 'POST', O, { slug: 'gamma' });
    expect(code(refused)).toBe('403 ORG_CREATION_CLOSED');
    expect(json(refused).message).toBe('Only superusers can create organizations on this server.');
    expect((await call(root, 'POST', O, { slug: 'gamma' })).statusCode).toBe(201);
    expect((await call(root, 'POST', AO, { slug: 'delta', admin_user_id: alice.user.id })).statusCode).toBe(201);
    expect(json(await call(alice, 'GET', `${O}/delta`))).toMatchObject({ role: 'admin', admin_count: 1 });
  });

  it('every change writes one audit entry about the organization; refusals write none', async () => {
    await setUp();
    const orgEntries = async () =>
      t.db.read.selectFrom('audit_log').select(['action', 'target_type', 'target']).where('action', 'like', 'org.%').orderBy('id').execute();
    const before = (await orgEntries()).length;
    const steps: Array<[string, () => Promise<LightMyRequestResponse>]> = [
      ['org.update', () => call(alice, 'PATCH', `${O}/acme`, { name: 'Acme Two', join_policy: 'self_join' })],
      ['org.member.add', () => call(root, 'POST', `${AO}/acme/members`, { user_id: bob.user.id, role: 'member' })],
      ['org.member.role', () => call(alice, 'PATCH', `${O}/acme/members/${bob.user.id}`, { role: 'admin' })],
      ['org.member.remove', () => call(bob, 'DELETE', `${O}/acme/members/${mia.user.id}`)],
      ['org.leave', () => call(alice, 'POST', `${O}/acme/leave`)],
      ['org.delete', () => call(bob, 'DELETE', `${O}/acme`)],
    ];
    for (const [action, step] of steps) {
      const res = await step();
      expect(res.statusCode, `${action}: ${res.body}`).toBeLessThan(300);
      const entries = await orgEntries();
      expect(entries.slice(before).map((e) => e.action)).toEqual(steps.slice(0, steps.findIndex(([a]) => a === action) + 1).map(([a]) => a));
      expect(entries.at(-1)).toMatchObject({ target_type: 'organization', target: 'acme' });
    }
    // An unchanged patch writes nothing; a refused one neither.
    const count = (await orgEntries()).length;
    await call(bob, 'PATCH', `${O}/beta`, { name: 'beta' });
    await call(mia, 'PATCH', `${O}/beta`, { name: 'x' });
    expect((await orgEntries()).length).toBe(count);
    expect(await t.db.read.selectFrom('organization_members').select('user_id').execute()).toHaveLength(1);
  });
});

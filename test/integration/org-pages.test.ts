import { afterEach, describe, expect, it } from 'vitest';
import { adminCreateUser, dialects, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';
import { seedMembers } from '../helpers/seed-members.ts';
import type { Actor } from '../../src-server/audit/audit-service.ts';

describe.each(dialects())('organization pages: who may do what, refusals as sentences, CSRF, escaping (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const cli: Actor = { userId: null, username: 'cli', ip: null };

  /** An administrator, an organization `acme` named `name` with them as its admin, and bob (a member) and carol (in no organization). */
  async function world(name = 'Acme') {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    await adminCreateUser(t.app, admin.token, { username: 'carol' });
    const adminActor: Actor = { userId: admin.user.id, username: 'admin', ip: null, requires: 'user' };
    await t.services.orgs.create(adminActor, { slug: 'acme', name });
    await t.services.orgMembers.add(cli, 'acme', bob.user.id, 'member');
    return { admin, adminActor, bob };
  }

  async function signedIn(username: string, page = '/dashboard/organizations/acme/') {
    const c = formClient(t.app);
    await c.get('/accounts/login/');
    expect((await c.post('/accounts/login/', { username, password: STRONG_PASSWORD })).statusCode).toBe(303);
    await c.get(page);
    return c;
  }

  it('a member sees the members but nothing to manage, and forged writes come back with the service’s sentence', async () => {
    const { admin } = await world();
    const bob = await signedIn('bob');
    expect(bob.body).toContain('admin');
    for (const offered of ['Change role', 'Create link', 'Create a user here', '/remove"']) expect(bob.body).not.toContain(offered);
    expect(bob.body).toContain('Leave Acme');

    const role = await bob.post(`/dashboard/organizations/acme/members/${admin.user.id}/role`, { role: 'member' });
    expect([role.statusCode, role.headers.location]).toEqual([303, '/dashboard/organizations/acme/']);
    await bob.get('/dashboard/organizations/acme/');
    expect(bob.body).toContain('Only an admin of “acme” can do this.');
    expect((await bob.post('/dashboard/organizations/acme/invitations', { role: 'admin', expires_in_hours: '72' })).statusCode).toBe(303);
    await bob.get('/dashboard/organizations/acme/');
    expect(bob.body).toContain('Only an admin of “acme” can do this.');
    const made = await bob.post('/dashboard/organizations/acme/users', { username: 'mallory', password: STRONG_PASSWORD, role: 'admin' });
    expect(made.statusCode).toBe(303);
    await bob.get('/dashboard/organizations/acme/');
    expect(bob.body).toContain('Only an admin of “acme” can do this.');
    expect(await t.services.usersRepo.byUsername(t.db.read, 'mallory')).toBeUndefined();
    // The confirmation page is not offered either.
    expect((await bob.get(`/dashboard/organizations/acme/members/${admin.user.id}/remove`)).statusCode).toBe(403);
  });

  it('pages and searches the members, keeping the search across pages; a member leaves and the organization is gone from their list', async () => {
    await world();
    await seedMembers(t, 30);
    for (let x = 1; x <= 30; x++) {
      const user = await t.services.usersRepo.byUsername(t.db.read, `member${x}`);
      await t.services.orgMembers.add(cli, 'acme', Number(user!.id), 'member');
    }
    const bob = await signedIn('bob');
    expect(bob.body).toContain('Members 1–25 of 32');
    expect(bob.body).toContain('href="/dashboard/organizations/acme/?page=2#members-h"');
    expect((await bob.get('/dashboard/organizations/acme/?page=2')).body).toContain('Members 26–32 of 32');
    // Past the end: the last page.
    expect((await bob.get('/dashboard/organizations/acme/?page=9')).body).toContain('Members 26–32 of 32');
    const found = await bob.get('/dashboard/organizations/acme/?q=member1');
    expect(found.body).not.toContain('Pages of members'); // 11 match: one page, no pager
    expect(found.body).toContain('member10');
    expect(found.body).not.toContain('member2<');
    const many = await bob.get('/dashboard/organizations/acme/?q=member');
    expect(many.body).toContain('href="/dashboard/organizations/acme/?q=member&amp;page=2#members-h"');
    expect((await bob.get('/dashboard/organizations/acme/?q=%00')).body).toContain('A search must be at most 150 characters, without control characters.');

    await bob.get('/dashboard/organizations/acme/leave');
    const left = await bob.post('/dashboard/organizations/acme/leave', {});
    expect([left.statusCode, left.headers.location]).toEqual([303, '/dashboard/organizations/']);
    const list = await bob.get('/dashboard/organizations/');
    expect(list.body).toContain('You left “acme”.');
    expect(list.body).not.toContain('href="/dashboard/organizations/acme/"');
  });

  it('an unknown, a malformed and someone else’s organization are pages that say so', async () => {
    await world();
    const carol = await signedIn('carol', '/dashboard/organizations/');
    const unknown = await carol.get('/dashboard/organizations/nope/');
    expect([unknown.statusCode, unknown.body.includes('No organization “nope”.')]).toEqual([404, true]);
    expect((await carol.get('/dashboard/organizations/a%00b/')).statusCode).toBe(404);
    const other = await carol.get('/dashboard/organizations/acme/');
    expect([other.statusCode, other.body.includes('You are not a member of “acme”')]).toEqual([403, true]);
    await carol.get('/dashboard/organizations/');
    const left = await carol.post('/dashboard/organizations/acme/leave', {});
    expect(left.statusCode).toBe(403);
    expect(left.body).toContain('You are not a member of “acme”');
  });

  it('escapes an organization’s name on every page that shows it', async () => {
    const { adminActor } = await world('<script>alert(1)</script> & co');
    const { path } = await t.services.orgInvitations.create(adminActor, 'acme', { role: 'member' });
    const bob = await signedIn('bob', '/dashboard/organizations/');
    const pages = [bob.body, (await bob.get('/dashboard/organizations/acme/')).body, (await bob.get('/dashboard/organizations/acme/leave')).body];
    pages.push((await formClient(t.app).get(path)).body);
    for (const body of pages) {
      expect(body).not.toContain('<script>alert');
      expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    }
  });

  it('refuses organization forms without the CSRF token: nothing changes', async () => {
    const { admin, adminActor, bob } = await world();
    const c = await signedIn('admin');
    expect((await c.post(`/dashboard/organizations/acme/members/${bob.user.id}/role`, { role: 'admin' }, { csrf: null })).statusCode).toBe(403);
    expect((await c.post(`/dashboard/organizations/acme/members/${bob.user.id}/remove`, {}, { csrf: null })).statusCode).toBe(403);
    expect((await c.post('/dashboard/organizations/acme/invitations', { role: 'member', expires_in_hours: '72' }, { csrf: null })).statusCode).toBe(403);
    const members = await t.services.orgMembers.list(adminActor, 'acme', {});
    expect(members.results.map((m) => [m.username, m.role])).toEqual([
      ['admin', 'admin'],
      ['bob', 'member'],
    ]);
    expect(await t.services.orgInvitations.list(adminActor, 'acme')).toEqual([]);

    const { path } = await t.services.orgInvitations.create(adminActor, 'acme', { role: 'member' });
    const carol = await signedIn('carol', path);
    expect((await carol.post(`${path}join`, {}, { csrf: null })).statusCode).toBe(403);
    expect((await carol.post(`${path}join`, {}, { csrf: admin.token.slice(0, 40) })).statusCode).toBe(403);
    expect((await t.services.orgInvitations.list(adminActor, 'acme')).map((i) => i.status)).toEqual(['pending']);
  });

  it('an organization link: a member already is told so and the link stays usable; signed out it offers sign-in back to the link', async () => {
    const { adminActor } = await world();
    const { path } = await t.services.orgInvitations.create(adminActor, 'acme', { role: 'admin' });
    const bob = await signedIn('bob', path);
    expect(bob.body).toContain('Join Acme as admin?');
    const again = await bob.post(`${path}join`, {});
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('You are already a member of “acme”; the invitation was left unused.');

    const stranger = formClient(t.app);
    const open = await stranger.get(path);
    expect(open.body).toContain('Already have an account?');
    expect(open.body).toContain(`href="/accounts/login/?next=${encodeURIComponent(path)}"`);
    // Signed out meanwhile, a join goes back to the link rather than anywhere else.
    const out = await stranger.post(`${path}join`, {});
    expect([out.statusCode, out.headers.location]).toEqual([303, path]);

    const carol = await signedIn('carol', path);
    const joined = await carol.post(`${path}join`, {});
    expect([joined.statusCode, joined.headers.location]).toEqual([303, '/dashboard/organizations/acme/']);
    expect((await carol.get('/dashboard/organizations/acme/')).body).toContain('You joined “Acme” as an admin.');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';
import { CookieJar, browse, signInAtIdp, startTestIdp, type TestIdp } from '../helpers/test-idp.ts';

/** An organization's IdPs: managed by its admins, and its sign-in's join rule (self_join or invite_only). */
describe.each(dialects())("single sign-on with an organization's OIDC IdP (%s)", (dialect) => {
  let t: TestApp;
  let idp: TestIdp;
  let origin: string;
  let admin: SignedUp;
  let olga: SignedUp;
  let mo: SignedUp;

  const call = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const users = async () => (await t.db.read.selectFrom('users').select('username').orderBy('id').execute()).map((r) => r.username);
  const members = async (slug: string) =>
    (
      await t.db.read
        .selectFrom('organization_members')
        .innerJoin('organizations', 'organizations.id', 'organization_members.organization_id')
        .innerJoin('users', 'users.id', 'organization_members.user_id')
        .select('users.username')
        .where('organizations.slug', '=', slug)
        .orderBy('users.username')
        .execute()
    ).map((r) => r.username);

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    idp = await startTestIdp({ redirectUris: ['acme', 'open'].map((org) => `${origin}/o/${org}/sso/oidc/corp/login/callback`) });
    admin = await signup(t.app, 'admin');
    olga = await adminCreateUser(t.app, admin.token, { username: 'olga', password: 'correct horse battery staple' });
    mo = await adminCreateUser(t.app, admin.token, { username: 'mo', password: 'correct horse battery staple' });
    for (const [slug, policy] of [
      ['acme', 'invite_only'],
      ['open', 'self_join'],
    ] as const) {
      const made = await call(admin.token, 'POST', '/api/v2/admin/organizations', { slug, name: slug, join_policy: policy, admin_user_id: olga.user.id });
      expect(made.statusCode, made.body).toBe(201);
    }
    expect((await call(admin.token, 'POST', '/api/v2/admin/organizations/acme/members', { user_id: mo.user.id })).statusCode).toBe(201);
    expect((await call(admin.token, 'PUT', '/api/v2/admin/settings', { IS_SSO_SIGNUP: true })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  it("an organization's admin manages its IdPs; a member and the site-wide routes are refused", async () => {
    const body = { name: 'corp', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret };
    expect(json(await call(mo.token, 'POST', '/api/v2/organizations/acme/sso/providers', body))).toMatchObject({ error: 'ORG_ADMIN_REQUIRED' });
    expect(json(await call(olga.token, 'POST', '/api/v2/admin/sso/providers', body))).toMatchObject({ error: 'SUPERUSER_REQUIRED' });
    for (const org of ['acme', 'open']) {
      const added = await call(olga.token, 'POST', `/api/v2/organizations/${org}/sso/providers`, body);
      expect(added.statusCode, added.body).toBe(201);
      expect(json(added)).toMatchObject({ organization: org, redirect_path: `/o/${org}/sso/oidc/corp/login/callback`, has_client_secret: true });
      expect(added.body).not.toContain(idp.clientSecret);
    }
    expect(json(await call(mo.token, 'GET', '/api/v2/organizations/acme/sso/providers'))).toMatchObject({ error: 'ORG_ADMIN_REQUIRED' });
    // The site has none: its sign-in page offers no button, and an organization's IdP is not a site-wide one.
    expect((await t.app.inject({ method: 'GET', url: '/accounts/login/' })).body).not.toContain('Sign in with');
    expect((await browse(new CookieJar(), `${origin}/g/sso/oidc/corp/login/`)).status).toBe(404);
  });

  it('invite_only: someone not in the organization is refused, and nothing is made (not even the account IS_SSO_SIGNUP would give)', async () => {
    const before = await users();
    const { res } = await signInAtIdp(new CookieJar(), `${origin}/o/acme/sso/oidc/corp/login/`, 'newbie', origin);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('takes new members by invitation only');
    expect(await users()).toEqual(before);
    expect(await t.db.read.selectFrom('sso_identities').selectAll().execute()).toEqual([]);
    const row = await t.db.read.selectFrom('audit_log').selectAll().where('action', '=', 'auth.login').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(row.outcome).toBe('failure');
    expect(JSON.parse(row.detail!)).toMatchObject({ method: 'sso', idp: 'corp', reason: 'not_member', org: 'acme' });
  });

  it('self_join: a new identity gets an account and joins as a member, signed in with a session', async () => {
    idp.accounts.set('newbie', { preferred_username: 'newbie' });
    const jar = new CookieJar();
    const { res } = await signInAtIdp(jar, `${origin}/o/open/sso/oidc/corp/login/`, 'newbie', origin);
    expect(res.status).toBe(303);
    expect(await members('open')).toEqual(['newbie', 'olga']);
    expect((await browse(jar, `${origin}/dashboard/`)).status).toBe(200);
    // The same identity signs in to acme only as a member of it.
    const again = await signInAtIdp(new CookieJar(), `${origin}/o/acme/sso/oidc/corp/login/`, 'newbie', origin);
    expect(again.res.status).toBe(403);
    expect(await members('acme')).toEqual(['mo', 'olga']);
  });

  it('a member of an invite_only organization signs in through it once linked', async () => {
    const moRow = await t.db.read.selectFrom('users').select('id').where('username', '=', 'mo').executeTakeFirstOrThrow();
    await t.db.write.updateTable('users').set({ email: 'mo@acme.example', email_lower: 'mo@acme.example' }).where('id', '=', moRow.id).execute();
    await call(olga.token, 'POST', '/api/v2/organizations/acme/sso/providers/corp/test');
    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/v2/organizations/acme/sso/providers/corp',
      headers: bearer(olga.token),
      payload: { link_verified_email: true },
    });
    expect(patched.statusCode).toBe(200);
    idp.accounts.set('mo-at-idp', { email: 'mo@acme.example', email_verified: true });
    const { res } = await signInAtIdp(new CookieJar(), `${origin}/o/acme/sso/oidc/corp/login/?next=/dashboard/organizations/acme/`, 'mo-at-idp', origin);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/organizations/acme/');
  });
});

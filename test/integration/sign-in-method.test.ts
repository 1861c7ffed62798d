import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '../../src-shared/domain.ts';
import type { ListedUser } from '../../src-shared/user-schemas.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';
import { CookieJar, signInAtIdp, startTestIdp, type TestIdp } from '../helpers/test-idp.ts';
import { makeOrg } from '../helpers/org-rows.ts';
import { createSsoRepo } from '../../src-server/sso/sso-repo.ts';

/** The admin list's sign-in method: a usable password, the IdPs of linked identities, and the `sign_in` filter. */
describe.each(dialects())('the Users list says how each user signs in (%s)', (dialect) => {
  let t: TestApp;
  let idp: TestIdp;
  let origin: string;
  let admin: SignedUp;

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: bearer(admin.token), ...(payload ? { payload } : {}) });
  const list = async (qs: string) => {
    const res = await api('GET', `/api/v2/admin/users?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return json<Page<ListedUser>>(res);
  };
  const names = (p: Page<ListedUser>) => p.results.map((u) => u.username);

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/g/sso/oidc/corp/login/callback`] });
    admin = await signup(t.app, 'admin');
    const added = await api('POST', '/api/v2/admin/sso/providers', {
      name: 'corp',
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
    });
    expect(added.statusCode, added.body).toBe(201);
    expect((await api('PUT', '/api/v2/admin/settings', { IS_SSO_SIGNUP: true })).statusCode).toBe(200);
    // ana: made by her first sign-in through the IdP (no usable password).
    idp.accounts.set('ana-at-idp', { preferred_username: 'ana', email: 'ana@corp.example', email_verified: true });
    const { res } = await signInAtIdp(new CookieJar(), `${origin}/g/sso/oidc/corp/login/`, 'ana-at-idp', origin);
    expect(res.status).toBe(303);
    // bob: a password, and an identity at an organization's IdP linked too (written by the repo layer).
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob' });
    const orgId = await makeOrg(t.db, 'acme');
    const at = new Date().toISOString();
    const sso = createSsoRepo(dialect);
    const provider = await t.db.write
      .insertInto('sso_providers')
      .values({
        organization_id: orgId,
        name: 'okta',
        template: 'okta',
        issuer: 'https://acme.okta.example',
        client_id: 'x',
        scopes: 'openid email profile',
        enabled: sso.flag(true),
        link_verified_email: sso.flag(false),
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sso.link(t.db.write, { issuer: 'https://acme.okta.example', sub: 'bob-sub', userId: bob.user.id, providerId: Number(provider.id), at });
    for (const n of ['carol', 'dave']) await adminCreateUser(t.app, admin.token, { username: n });
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  it('answers a usable password and the linked IdPs per user', async () => {
    const page = await list('ordering=username');
    const by = new Map(page.results.map((u) => [u.username, u.sign_in]));
    expect(by.get('ana')).toEqual({ password: false, sso: [{ idp: 'corp', organization: null }] });
    expect(by.get('bob')).toEqual({ password: true, sso: [{ idp: 'okta', organization: 'acme' }] });
    expect(by.get('carol')).toEqual({ password: true, sso: [] });
    // Never the hash itself.
    expect(JSON.stringify(page)).not.toContain('password_hash');
  });

  it('filters by sign-in method, with search, the other filters, paging and the ids of a bulk action', async () => {
    expect(names(await list('sign_in=sso'))).toEqual(['ana']);
    expect(names(await list('sign_in=both'))).toEqual(['bob']);
    expect(names(await list('sign_in=password&ordering=username'))).toEqual(['admin', 'carol', 'dave']);
    expect(names(await list('sign_in=password&search=car'))).toEqual(['carol']);
    expect(names(await list('sign_in=password&is_superuser=true'))).toEqual(['admin']);
    expect(names(await list('sign_in=sso&is_superuser=true'))).toEqual([]);
    const p2 = await list('sign_in=password&ordering=username&page_size=2&page=2');
    expect([p2.count, names(p2)]).toEqual([3, ['dave']]);
    const ids = await api('GET', '/api/v2/admin/users/ids?sign_in=sso');
    expect(json(ids)).toMatchObject({ count: 1 });
    // A password set by an admin makes an SSO-only account both.
    const ana = (await list('sign_in=sso')).results[0]!;
    expect((await api('POST', `/api/v2/admin/users/${ana.id}/password`, { password: 'correct horse battery staple' })).statusCode).toBe(200);
    expect(names(await list('sign_in=both&ordering=username'))).toEqual(['ana', 'bob']);
    expect(names(await list('sign_in=sso'))).toEqual([]);
  });

  it('refuses an unknown sign-in method with a clear error', async () => {
    for (const bad of ['sso,password', 'SSO', 'oidc', '']) {
      const res = await api('GET', `/api/v2/admin/users?sign_in=${encodeURIComponent(bad)}`);
      expect(res.statusCode, bad).toBe(400);
      expect(json(res)).toMatchObject({ error: 'VALIDATION', message: expect.stringContaining('sign_in') });
      expect(json(res).message).toContain('password, sso, both');
    }
  });
});

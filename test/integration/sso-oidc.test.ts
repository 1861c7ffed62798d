import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';
import { CookieJar, browse, signInAtIdp, startTestIdp, type TestIdp } from '../helpers/test-idp.ts';
import { createOidcDiscovery, type OidcMetadata } from '../../src-server/sso/oidc-discovery.ts';
import { verifyIdToken } from '../../src-server/sso/sso-flow.ts';
import { createSecretBox } from '../../src-server/sso/secret-box.ts';

const PROVIDERS = '/api/v2/admin/sso/providers';

describe.each(dialects())('single sign-on with OIDC, site-wide (%s)', (dialect) => {
  let t: TestApp;
  let idp: TestIdp;
  let origin: string;
  let admin: SignedUp;
  const log: string[] = [];

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = admin.token) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const setSignup = (on: boolean) => api('PUT' as 'POST', '/api/v2/admin/settings', { IS_SSO_SIGNUP: on });
  const signIn = (login: string) => signInAtIdp(new CookieJar(), `${origin}/g/sso/oidc/corp/login/`, login, origin);
  const users = async () => (await t.db.read.selectFrom('users').select('username').orderBy('id').execute()).map((r) => r.username);

  beforeAll(async () => {
    t = await makeTestApp(dialect, { log: { write: (line) => void log.push(line) } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/g/sso/oidc/corp/login/callback`] });
    admin = await signup(t.app, 'admin');
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  it('adds, reads, changes and tests an IdP without ever answering, logging or auditing its client secret', async () => {
    const bad = await api('POST', PROVIDERS, { name: 'corp', issuer: 'http://127.0.0.1:9/realms/x', client_id: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toMatchObject({
      error: 'SSO_DISCOVERY_FAILED',
      message: expect.stringContaining('http://127.0.0.1:9/realms/x/.well-known/openid-configuration'),
    });

    const created = await api('POST', PROVIDERS, {
      name: 'Corp',
      template: 'keycloak',
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
    });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({
      name: 'corp',
      organization: null,
      has_client_secret: true,
      enabled: true,
      link_verified_email: false,
      redirect_path: '/g/sso/oidc/corp/login/callback',
    });
    expect(json(await api('POST', PROVIDERS, { name: 'corp', issuer: idp.issuer, client_id: 'x' }))).toMatchObject({ error: 'SSO_PROVIDER_TAKEN' });
    const listed = await api('GET', PROVIDERS);
    expect(json<{ results: unknown[] }>(listed).results).toHaveLength(1);
    // Re-pointed as ADFS at the IdP's bare host, the template fills /adfs, which the IdP does not serve: refused, nothing changed.
    const repointed = await api('PATCH', `${PROVIDERS}/corp`, { template: 'adfs', issuer: idp.issuer });
    expect(json(repointed)).toMatchObject({
      error: 'SSO_DISCOVERY_FAILED',
      message: expect.stringContaining(`${idp.issuer}/adfs/.well-known/openid-configuration`),
    });
    const patched = await api('PATCH', `${PROVIDERS}/corp`, { link_verified_email: true });
    expect(json(patched)).toMatchObject({ link_verified_email: true, has_client_secret: true });
    const tested = await api('POST', `${PROVIDERS}/corp/test`);
    expect(tested.statusCode).toBe(200);
    expect(json(tested)).toMatchObject({ ok: true, issuer: idp.issuer, jwks_keys: 1, signing_algorithms: expect.arrayContaining(['RS256']) });
    expect(String(json(tested).authorization_url)).toContain('code_challenge_method=S256');
    expect(json(await api('GET', `${PROVIDERS}/nosuch`))).toMatchObject({ error: 'SSO_PROVIDER_NOT_FOUND' });

    const stored = await t.db.read.selectFrom('sso_providers').select('client_secret_enc').executeTakeFirstOrThrow();
    expect(stored.client_secret_enc).toMatch(/^v1\./);
    for (const res of [created, listed, patched, tested]) expect(res.body).not.toContain(idp.clientSecret);
    const audit = await t.db.read.selectFrom('audit_log').selectAll().where('action', 'like', 'sso.%').execute();
    expect(audit.map((r) => r.action)).toEqual(['sso.provider.create', 'sso.provider.update']);
    expect(JSON.stringify(audit)).not.toContain(idp.clientSecret);
    expect(log.join('')).not.toContain(idp.clientSecret);
  });

  it('the sign-in page offers the IdP; an unknown identity is refused while IS_SSO_SIGNUP is off, and nothing is made', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/accounts/login/?next=/dashboard/organizations/' });
    expect(page.body).toContain('href="/g/sso/oidc/corp/login/?next=%2Fdashboard%2Forganizations%2F">Sign in with corp</a>');
    const before = await users();
    const { res } = await signIn('stranger');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('An administrator must create your account or invite you first');
    expect(await users()).toEqual(before);
    expect(await t.db.read.selectFrom('sso_identities').selectAll().execute()).toEqual([]);
  });

  it('links an existing account by verified email, signs in with a session, and refuses the same callback again', async () => {
    await adminCreateUser(t.app, admin.token, { username: 'ana', password: 'correct horse battery staple', email: 'ana@corp.example' });
    idp.accounts.set('ana-at-idp', { email: 'ana@corp.example', email_verified: true, preferred_username: 'ana.s' });
    const jar = new CookieJar();
    const { res, callbackUrl } = await signInAtIdp(jar, `${origin}/g/sso/oidc/corp/login/?next=/dashboard/organizations/`, 'ana-at-idp', origin);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/organizations/');
    const dash = await browse(jar, `${origin}/dashboard/`);
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain('ana');
    // The session gates access by role as a password sign-in's does: a user passes the forward-auth check, staff only once made staff.
    const check = (require: string) => browse(jar, `${origin}/auth/check?require=${require}`);
    const asUser = await check('user');
    expect(asUser.status).toBe(200);
    expect(asUser.headers.get('remote-user')).toBe('ana');
    expect((await check('staff')).status).toBe(403);
    const anaId = (await t.db.read.selectFrom('users').select('id').where('username', '=', 'ana').executeTakeFirstOrThrow()).id;
    expect((await api('PATCH', `/api/v2/admin/users/${anaId}`, { is_staff: true })).statusCode).toBe(200);
    expect((await check('staff')).status).toBe(200);
    const link = await t.db.read.selectFrom('sso_identities').selectAll().executeTakeFirstOrThrow();
    expect(link).toMatchObject({ issuer: idp.issuer, sub: 'ana-at-idp' });
    const row = await t.db.read
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.login')
      .where('outcome', '=', 'success')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.target).toBe('ana');
    expect(JSON.parse(row.detail!)).toMatchObject({ method: 'sso', idp: 'corp', account: 'linked_by_email' });

    // Replayed: the same callback URL, with the same browser's cookie set again.
    const state = new URL(callbackUrl!).searchParams.get('state')!;
    const replay = await fetch(callbackUrl!, { headers: { cookie: `gadm_sso_state=${state}` }, redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('unknown, already used or expired');
    expect(replay.headers.getSetCookie().filter((c) => !c.startsWith('gadm_sso_state='))).toEqual([]);
  });

  it('a callback not started in this browser is refused (login CSRF)', async () => {
    const jar = new CookieJar();
    const start = await browse(jar, `${origin}/g/sso/oidc/corp/login/`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const res = await fetch(`${origin}/g/sso/oidc/corp/login/callback?state=${state}&code=x`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not started in this browser');
  });

  it('with IS_SSO_SIGNUP on, a new identity gets an account with a unique username and no usable password', async () => {
    expect((await setSignup(true)).statusCode).toBe(200);
    idp.accounts.set('ana-2', { preferred_username: 'ana', email: 'other@corp.example', email_verified: false });
    const { res } = await signIn('ana-2');
    expect(res.status).toBe(303);
    const made = await t.db.read.selectFrom('users').selectAll().where('username', '=', 'ana2').executeTakeFirstOrThrow();
    expect(made.email).toBeNull();
    expect(made.password_hash.startsWith('!')).toBe(true);
    const login = await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'ana2', password: made.password_hash } });
    expect(login.statusCode).toBe(400);
    await setSignup(false);
  });

  it('a wrong nonce is refused (the stored state tampered with) and nothing is signed in', async () => {
    const jar = new CookieJar();
    const start = await browse(jar, `${origin}/g/sso/oidc/corp/login/`);
    await t.db.write.updateTable('sso_states').set({ nonce: 'not-the-nonce-sent' }).where('used_at', 'is', null).execute();
    const { res } = await signInAtIdp(jar, start.headers.get('location')!, 'ana-at-idp', origin);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('its nonce is not the one this sign-in sent');
  });

  it('a client secret sealed under another .env key is said so, and nobody is signed in', async () => {
    const row = await t.db.read.selectFrom('sso_providers').select(['id', 'client_secret_enc']).executeTakeFirstOrThrow();
    const other = createSecretBox(Buffer.alloc(32, 7)).seal(idp.clientSecret);
    await t.db.write.updateTable('sso_providers').set({ client_secret_enc: other }).where('id', '=', row.id).execute();
    const { res } = await signIn('ana-at-idp');
    await t.db.write.updateTable('sso_providers').set({ client_secret_enc: row.client_secret_enc }).where('id', '=', row.id).execute();
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('cannot be read with this server');
  });

  it('a disabled user cannot sign in through SSO', async () => {
    const ana = await t.db.read.selectFrom('users').select('id').where('username', '=', 'ana').executeTakeFirstOrThrow();
    expect((await api('PATCH', `/api/v2/admin/users/${ana.id}`, { is_active: false })).statusCode).toBe(200);
    const { res } = await signIn('ana-at-idp');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This account is disabled');
    expect(log.join('')).not.toContain(idp.clientSecret);
  });
});

/** The ID token checks against tokens made here and signed by keys a local JWKS serves. */
describe('ID token verification', () => {
  let server: Server;
  let meta: OidcMetadata;
  const discovery = createOidcDiscovery({ now: () => Date.now() });
  let current: Awaited<ReturnType<typeof generateKeyPair>>;
  let rotatedOut: Awaited<ReturnType<typeof generateKeyPair>>;
  const ISS = 'https://idp.example';

  beforeAll(async () => {
    current = await generateKeyPair('ES256', { extractable: true });
    rotatedOut = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(current.publicKey)), kid: 'now', alg: 'ES256', use: 'sig' }] };
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const jwksUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
    meta = {
      issuer: ISS,
      authorization_endpoint: `${ISS}/auth`,
      token_endpoint: `${ISS}/token`,
      jwks_uri: jwksUri,
      signing_algorithms: ['ES256'],
      token_auth_methods: [],
      code_challenge_methods: ['S256'],
    };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const sign = (claims: Record<string, unknown>, opts: { key?: CryptoKey; kid?: string; exp?: string | number } = {}) =>
    new SignJWT({ nonce: 'n', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'now' })
      .setIssuer(String(claims.iss ?? ISS))
      .setAudience((claims.aud as string | string[]) ?? 'client')
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? current.privateKey);
  const verify = (token: string, nonce = 'n') => verifyIdToken(discovery, meta, 'client', token, nonce, new Date());
  const refused = async (token: string, reason: string, nonce?: string) =>
    expect(verify(token, nonce)).rejects.toMatchObject({ code: 'SSO_TOKEN_INVALID', message: expect.stringContaining(reason) });

  it('accepts a good token and refuses every tampered one', async () => {
    expect((await verify(await sign({}))).sub).toBe('user-1');
    await refused(await sign({}), 'nonce', 'another');
    await refused(await sign({ aud: 'someone-else' }), 'aud');
    await refused(await sign({ iss: 'https://mix-up.example' }), 'iss');
    await refused(await sign({ aud: ['client', 'other'] }), 'azp');
    await refused(await sign({ azp: 'other' }), 'azp');
    await refused(await sign({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), 'expired');
    await refused(await sign({}, { key: rotatedOut.privateKey, kid: 'old' }), "no key in the IdP's key set");
    await refused(await sign({}, { key: rotatedOut.privateKey }), 'signature does not verify');
    await refused(
      new UnsecuredJWT({ nonce: 'n', sub: 'user-1' }).setIssuer(ISS).setAudience('client').setIssuedAt().setExpirationTime('5m').encode(),
      'was refused',
    );
    const hs = await new SignJWT({ nonce: 'n' })
      .setProtectedHeader({ alg: 'HS256', kid: 'now' })
      .setIssuer(ISS)
      .setAudience('client')
      .setSubject('u')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await refused(hs, 'algorithm');
  });
});

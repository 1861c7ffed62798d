import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, decodeJwt, exportSPKI, generateKeyPair, importJWK, type JWTPayload } from 'jose';
import { adminCreateUser, bearer, dialects, makeTestApp, signup, type SignedUp, type TestApp } from '../helpers/app.ts';
import { CookieJar, browse, signInAtIdp, startTestIdp, type TestIdp } from '../helpers/test-idp.ts';

/** The client secret the IdP gives the server: known, so that every answer, log line and audit row can be searched for it. */
const SECRET = 'known-client-secret-Zq8vW2pL5xR7nT4k';

/**
 * The acceptance's refusals, each through a real sign-in at a real IdP
 * (oidc-provider on loopback) against the server on 127.0.0.1: refused with
 * a sentence, and nothing made or changed (no account, no identity link, no
 * session, no membership; the existing account as it was), the state used up
 * where the callback got past it. Tokens the IdP did not issue as they are
 * come from its `tamper` hook, which stands in for an attacker between the
 * IdP and this server.
 */
describe.each(dialects())('single sign-on refusals leave nothing made (%s)', (dialect) => {
  let t: TestApp;
  let idp: TestIdp;
  let second: TestIdp;
  let origin: string;
  let admin: SignedUp;
  const log: string[] = [];
  /** Every answer this test read from the server, searched for the client secret at the end. */
  const answers: string[] = [];

  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: Record<string, unknown>) => {
    const res = await t.app.inject({ method, url, headers: bearer(admin.token), ...(payload ? { payload } : {}) });
    answers.push(res.body);
    return res;
  };
  const setSignup = async (on: boolean) => expect((await api('PUT', '/api/v2/admin/settings', { IS_SSO_SIGNUP: on })).statusCode).toBe(200);
  const snapshot = async () => {
    const q = t.db.read;
    return {
      users: await q.selectFrom('users').selectAll().orderBy('id').execute(),
      identities: await q.selectFrom('sso_identities').selectAll().orderBy('id').execute(),
      sessions: await q.selectFrom('sessions').selectAll().orderBy('id_hash').execute(),
      members: await q.selectFrom('organization_members').selectAll().orderBy('organization_id').orderBy('user_id').execute(),
      orgSessions: await q.selectFrom('org_sessions').selectAll().orderBy('sid').execute(),
    };
  };
  const pendingStates = async () =>
    Number(
      (
        await t.db.read
          .selectFrom('sso_states')
          .select((e) => e.fn.countAll().as('n'))
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const lastLoginAudit = async () => {
    const row = await t.db.read.selectFrom('audit_log').selectAll().where('action', '=', 'auth.login').orderBy('id', 'desc').executeTakeFirstOrThrow();
    return { outcome: row.outcome, detail: JSON.parse(row.detail!) as Record<string, unknown> };
  };

  /** A browser that signs in at the IdP as `login` from `start` and is refused: the page, then nothing changed and the state used up. */
  async function refused(start: string, login: string, status: number, sentence: string, reason: string, detail: Record<string, unknown> = {}) {
    const before = await snapshot();
    const pending = await pendingStates();
    const { res, callbackUrl } = await signInAtIdp(new CookieJar(), `${origin}${start}`, login, origin);
    const page = await res.text();
    answers.push(page);
    expect(res.status, page).toBe(status);
    expect(page).toContain(sentence);
    // No cookie but the state's own, cleared.
    expect(res.headers.getSetCookie().filter((c) => !c.startsWith('gadm_sso_state='))).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(await lastLoginAudit()).toMatchObject({ outcome: 'failure', detail: { method: 'sso', reason, ...detail } });
    // The state is used up: the same callback again, from the same browser, is refused before the code is traded.
    expect(await pendingStates()).toBe(pending);
    const state = new URL(callbackUrl!).searchParams.get('state')!;
    const again = await fetch(callbackUrl!, { headers: { cookie: `gadm_sso_state=${state}` }, redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('unknown, already used or expired');
    expect(await snapshot()).toEqual(before);
  }

  /** The IdP's real ID token with some claims changed, signed again (by its own key unless another is given). */
  const resign =
    (change: (c: JWTPayload) => JWTPayload, key?: CryptoKey, kid = 'test-1') =>
    async (token: string) =>
      new SignJWT(change(decodeJwt(token))).setProtectedHeader({ alg: 'RS256', kid }).sign(key ?? idp.signingKey);

  /** A refusal with the tokens going through `tamper` for this one sign-in. */
  async function refusedToken(tamper: (token: string) => Promise<string>, sentence: string) {
    idp.tamper = tamper;
    try {
      await refused('/g/sso/oidc/corp/login/', 'cy-at-idp', 400, sentence, 'SSO_TOKEN_INVALID');
    } finally {
      idp.tamper = null;
    }
  }

  beforeAll(async () => {
    t = await makeTestApp(dialect, { log: { write: (line) => void log.push(line) } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const callbacks = ['/g/sso/oidc/corp/login/callback', '/g/sso/oidc/second/login/callback', '/o/acme/sso/oidc/corp/login/callback'].map((p) => origin + p);
    idp = await startTestIdp({ redirectUris: callbacks, clientSecret: SECRET });
    second = await startTestIdp({ redirectUris: callbacks });
    admin = await signup(t.app, 'admin');
    const corp = { name: 'corp', issuer: idp.issuer, client_id: idp.clientId, client_secret: SECRET, link_verified_email: true };
    expect((await api('POST', '/api/v2/admin/sso/providers', corp)).statusCode).toBe(201);
    const other = { name: 'second', issuer: second.issuer, client_id: second.clientId, client_secret: second.clientSecret };
    expect((await api('POST', '/api/v2/admin/sso/providers', other)).statusCode).toBe(201);
    expect((await api('POST', '/api/v2/admin/organizations', { slug: 'acme', name: 'Acme', join_policy: 'invite_only' })).statusCode).toBe(201);
    expect((await api('POST', '/api/v2/organizations/acme/sso/providers', corp)).statusCode).toBe(201);
    for (const [username, extra] of [
      ['ana', {}],
      ['bea', {}],
      ['cy', {}],
      ['dora', {}],
      ['root', { is_superuser: true }],
      ['sam', { is_staff: true }],
    ] as const) {
      await adminCreateUser(t.app, admin.token, { username, email: `${username}@corp.example`, ...extra });
      idp.accounts.set(`${username}-at-idp`, { email: `${username}@corp.example`, email_verified: true });
    }
    idp.accounts.set('bea-at-idp', { email: 'bea@corp.example', email_verified: false });
    const dora = await t.db.read.selectFrom('users').select('id').where('username', '=', 'dora').executeTakeFirstOrThrow();
    expect((await api('PATCH', `/api/v2/admin/users/${dora.id}`, { is_active: false })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await second?.close();
    await idp?.close();
    await t?.close();
  });

  it('the ID token: wrong nonce, wrong aud, expired, alg none, HS256 made with the public key, a rotated-out key', async () => {
    await refusedToken(
      resign((c) => ({ ...c, nonce: 'not-the-one-sent' })),
      'its nonce is not the one this sign-in sent',
    );
    await refusedToken(
      resign((c) => ({ ...c, aud: 'someone-else' })),
      'its aud claim is not the one expected',
    );
    const now = Math.floor(Date.now() / 1000);
    await refusedToken(
      resign((c) => ({ ...c, iat: now - 600, exp: now - 120 })),
      'it has expired',
    );
    await refusedToken(async (token) => new UnsecuredJWT(decodeJwt(token)).encode(), 'it is signed with an algorithm this IdP does not list');
    // Signed with HS256, keyed by the IdP's public key as text: a verifier that trusted the header's alg would accept it.
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Array<Record<string, string>> };
    const pem = await exportSPKI((await importJWK(jwks.keys[0]!, 'RS256', { extractable: true })) as CryptoKey);
    await refusedToken(
      async (token) => new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'HS256', kid: 'test-1' }).sign(new TextEncoder().encode(pem)),
      'it is signed with an algorithm this IdP does not list',
    );
    // The IdP's key before a rotation (no longer in its key set), under its old kid, and under the current kid.
    const old = await generateKeyPair('RS256', { extractable: true });
    await refusedToken(
      resign((c) => c, old.privateKey, 'test-0'),
      'key set matches its signature key',
    );
    await refusedToken(
      resign((c) => c, old.privateKey),
      'its signature does not verify',
    );
    expect(await t.db.read.selectFrom('sso_identities').selectAll().execute()).toEqual([]);
  });

  it('mix-up: a token the second IdP issued, or one naming it as issuer, is refused at the first', async () => {
    // What the second IdP (also trusted here, as "second") signs: its key, its issuer.
    await refusedToken(
      resign((c) => ({ ...c, iss: second.issuer }), second.signingKey),
      'its signature does not verify',
    );
    await refusedToken(
      resign((c) => ({ ...c, iss: second.issuer })),
      'its iss claim is not the one expected',
    );
  });

  it('state: a forged one, or one not started in this browser, is refused and leaves the real one pending; a replayed one is refused', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtIdp(jar, `${origin}/g/sso/oidc/corp/login/`, 'cy-at-idp', origin, { follow: false });
    const real = new URL(callbackUrl!);
    const before = await snapshot();
    const forged = new URL(real);
    forged.searchParams.set('state', 'forged-state-value-0123456789');
    // The attacker's own browser, its cookie matching the forged state.
    const a = await fetch(forged, { headers: { cookie: 'gadm_sso_state=forged-state-value-0123456789' }, redirect: 'manual' });
    expect(a.status).toBe(400);
    expect(await a.text()).toContain('unknown, already used or expired');
    // This browser's cookie, someone else's state in the URL.
    const b = await browse(jar, forged.toString());
    expect(b.status).toBe(400);
    expect(await b.text()).toContain('not started in this browser');
    expect(await snapshot()).toEqual(before);
    expect(await pendingStates()).toBe(1);
    // The real callback works after them (cy is linked by its verified email); the same again is a replay.
    const jar2 = new CookieJar();
    const ok = await fetch(real, { headers: { cookie: `gadm_sso_state=${real.searchParams.get('state')}` }, redirect: 'manual' });
    jar2.store(real.toString(), ok);
    expect(ok.status).toBe(303);
    const linked = await snapshot();
    const replay = await fetch(real, { headers: { cookie: `gadm_sso_state=${real.searchParams.get('state')}` }, redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('unknown, already used or expired');
    expect(await snapshot()).toEqual(linked);

    // Expired: the sign-in at the IdP took longer than the state lives.
    const late = await signInAtIdp(new CookieJar(), `${origin}/g/sso/oidc/corp/login/`, 'cy-at-idp', origin, { follow: false });
    await t.db.write
      .updateTable('sso_states')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('used_at', 'is', null)
      .execute();
    const lateUrl = new URL(late.callbackUrl!);
    const expired = await fetch(lateUrl, { headers: { cookie: `gadm_sso_state=${lateUrl.searchParams.get('state')}` }, redirect: 'manual' });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('unknown, already used or expired');
    expect(expired.headers.getSetCookie().filter((c) => !c.startsWith('gadm_sso_state='))).toEqual([]);
    expect(await snapshot()).toEqual(linked);
  });

  it("pygraphistry's sign-in refused at the callback: its poll ends at once with no token, and the state is spent", async () => {
    const before = await snapshot();
    const named = await fetch(`${origin}/api/v2/o/acme/sso/oidc/login/corp/`, {
      method: 'POST',
      body: 'client-type=pygraphistry',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(named.status).toBe(200);
    const { data } = (await named.json()) as { data: { state: string; auth_url: string } };
    const polled = Date.now();
    const poll = fetch(`${origin}/api/v2/o/sso/oidc/jwt/${data.state}/`).then(async (r) => ({ status: r.status, body: await r.text(), at: Date.now() }));
    const { res } = await signInAtIdp(new CookieJar(), data.auth_url, 'stranger', origin);
    const refusedAt = Date.now();
    expect(res.status).toBe(403);
    const answer = await poll;
    answers.push(answer.body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'SSO_STATE_INVALID' });
    expect(answer.body).not.toContain('token');
    // Ended by the refusal (within a poll step or two), not held to its 50-second limit.
    expect(answer.at - refusedAt).toBeLessThan(5000);
    expect(answer.at - polled).toBeLessThan(20_000);
    expect(await snapshot()).toEqual(before);
    const again = await fetch(`${origin}/api/v2/o/sso/oidc/jwt/${data.state}/`);
    expect(again.status).toBe(400);
  });

  it('a replayed code (used once already), and a code taken from another sign-in (PKCE), are refused by the IdP with nothing made', async () => {
    const jar = new CookieJar();
    const first = await signInAtIdp(jar, `${origin}/g/sso/oidc/corp/login/`, 'ana-at-idp', origin, { follow: false });
    const code = new URL(first.callbackUrl!).searchParams.get('code')!;
    expect((await browse(jar, first.callbackUrl!)).status).toBe(303);
    const before = await snapshot();
    const pending = await pendingStates();
    const useCode = async (browser: CookieJar, stolen: string) => {
      const start = await browse(browser, `${origin}/g/sso/oidc/corp/login/`);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const res = await browse(browser, `${origin}/g/sso/oidc/corp/login/callback?state=${state}&code=${encodeURIComponent(stolen)}`);
      const page = await res.text();
      answers.push(page);
      return { res, page };
    };
    // The same browser, a new sign-in of its own, the first one's code: the IdP has spent it.
    const replayed = await useCode(jar, code);
    expect(replayed.res.status, replayed.page).toBe(502);
    expect(replayed.page).toContain('its token endpoint answered invalid_grant');
    expect(await snapshot()).toEqual(before);
    expect(await pendingStates()).toBe(pending);
    expect(await lastLoginAudit()).toMatchObject({ outcome: 'failure', detail: { reason: 'SSO_FAILED' } });

    // A code the victim's browser has not yet brought back, put into the attacker's own sign-in: its PKCE verifier is not the victim's.
    const victim = await signInAtIdp(new CookieJar(), `${origin}/g/sso/oidc/corp/login/`, 'ana-at-idp', origin, { follow: false });
    const stolen = await useCode(new CookieJar(), new URL(victim.callbackUrl!).searchParams.get('code')!);
    expect(stolen.res.status, stolen.page).toBe(502);
    expect(stolen.page).toContain('its token endpoint answered invalid_grant');
    expect(stolen.res.headers.getSetCookie().filter((c) => !c.startsWith('gadm_sso_state='))).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('email_verified false with linking on: not linked to the account with that email, which is left as it was', async () => {
    const bea = await t.db.read.selectFrom('users').selectAll().where('username', '=', 'bea').executeTakeFirstOrThrow();
    await refused('/g/sso/oidc/corp/login/', 'bea-at-idp', 403, 'An administrator must create your account or invite you first', 'no_account');
    // With IS_SSO_SIGNUP on it gets an account of its own, without the unverified email; bea's is untouched.
    await setSignup(true);
    const { res } = await signInAtIdp(new CookieJar(), `${origin}/g/sso/oidc/corp/login/`, 'bea-at-idp', origin);
    await setSignup(false);
    expect(res.status).toBe(303);
    expect(await t.db.read.selectFrom('users').selectAll().where('username', '=', 'bea').executeTakeFirstOrThrow()).toEqual(bea);
    const link = await t.db.read.selectFrom('sso_identities').selectAll().where('sub', '=', 'bea-at-idp').executeTakeFirstOrThrow();
    const made = await t.db.read.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirstOrThrow();
    expect(made).toMatchObject({ username: 'bea2', email: null });
    expect(Number(made.id)).not.toBe(Number(bea.id));
  });

  it('IS_SSO_SIGNUP off: an unknown identity is refused with nothing made', async () => {
    await refused('/g/sso/oidc/corp/login/', 'stranger', 403, 'An administrator must create your account or invite you first', 'no_account');
  });

  it('an invite_only organization without an invitation: no account (even with IS_SSO_SIGNUP on), no membership', async () => {
    await setSignup(true);
    try {
      await refused('/o/acme/sso/oidc/corp/login/', 'newcomer', 403, 'takes new members by invitation only', 'not_member');
      // An account here, already linked to this identity, does not join either.
      await refused('/o/acme/sso/oidc/corp/login/', 'ana-at-idp', 403, 'takes new members by invitation only', 'not_member');
    } finally {
      await setSignup(false);
    }
  });

  it('a disabled user is refused, and no link is made to it', async () => {
    await refused('/g/sso/oidc/corp/login/', 'dora-at-idp', 403, 'This account is disabled', 'inactive');
  });

  it('a superuser or staff account is never linked by its email: the account signs in with its password', async () => {
    for (const who of ['root', 'sam']) {
      await refused(
        '/g/sso/oidc/corp/login/',
        `${who}-at-idp`,
        403,
        'never takes over by email alone: sign in to that account with its password',
        'admin_account',
        {
          user: who,
          idp: 'corp',
        },
      );
    }
  });

  it('the client secret is in no answer, log line or audit row after all of the above and a full client sign-in', async () => {
    // pygraphistry's flow over HTTP: the start, the IdP, the poll's answer.
    const started = await fetch(`${origin}/api/v2/g/sso/oidc/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client-type=pygraphistry',
    });
    const startBody = await started.text();
    answers.push(startBody);
    expect(started.status, startBody).toBe(400); // two site-wide IdPs: it names them
    expect(startBody).toContain('corp, second');
    const named = await fetch(`${origin}/api/v2/o/acme/sso/oidc/login/`, {
      method: 'POST',
      body: 'client-type=pygraphistry',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { data } = (await named.json()) as { data: { state: string; auth_url: string } };
    answers.push(JSON.stringify(data));
    const poll = fetch(`${origin}/api/v2/o/sso/oidc/jwt/${data.state}/`).then((r) => r.text());
    // mo is a member of acme, linked by its verified email.
    await adminCreateUser(t.app, admin.token, { username: 'mo', email: 'mo@corp.example' });
    const moId = (await t.db.read.selectFrom('users').select('id').where('username', '=', 'mo').executeTakeFirstOrThrow()).id;
    expect((await api('POST', '/api/v2/admin/organizations/acme/members', { user_id: Number(moId) })).statusCode).toBe(201);
    idp.accounts.set('mo-at-idp', { email: 'mo@corp.example', email_verified: true });
    const { res } = await signInAtIdp(new CookieJar(), data.auth_url, 'mo-at-idp', origin);
    answers.push(await res.text());
    const answered = await poll;
    answers.push(answered);
    expect(JSON.parse(answered)).toMatchObject({ status: 'OK', data: { active_organization: { slug: 'acme' } } });
    for (const url of ['/api/v2/admin/sso/providers', '/api/v2/admin/sso/providers/corp', '/api/v2/organizations/acme/sso/providers']) {
      expect((await api('GET', url)).statusCode).toBe(200);
    }
    expect((await api('POST', '/api/v2/admin/sso/providers/corp/test')).statusCode).toBe(200);
    expect((await api('GET', '/api/v2/admin/audit')).statusCode).toBe(200);

    expect(log.length).toBeGreaterThan(50); // the request log was written, so its silence about the secret means something
    expect(answers.join('\n').includes(SECRET)).toBe(false);
    expect(log.join('\n').includes(SECRET)).toBe(false);
    const audit = await t.db.read.selectFrom('audit_log').selectAll().execute();
    expect(audit.length).toBeGreaterThan(20);
    expect(JSON.stringify(audit).includes(SECRET)).toBe(false);
    // At rest it is sealed: no column of the IdP rows holds it as text.
    expect(JSON.stringify(await t.db.read.selectFrom('sso_providers').selectAll().execute()).includes(SECRET)).toBe(false);
  });
});

/** pygraphistry's start (and the browser's) is anonymous and stores a pending sign-in: a burst from one address is refused past the limit. */
describe.each(dialects())('single sign-on starts are throttled per address (%s)', (dialect) => {
  let t: TestApp;
  let idp: TestIdp;
  let origin: string;
  const LIMIT = 5;

  beforeAll(async () => {
    t = await makeTestApp(dialect, { config: { throttleSsoStarts: LIMIT } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/g/sso/oidc/corp/login/callback`] });
    const admin = await signup(t.app, 'admin');
    const added = await t.app.inject({
      method: 'POST',
      url: '/api/v2/admin/sso/providers',
      headers: bearer(admin.token),
      payload: { name: 'corp', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v2/admin/organizations', headers: bearer(admin.token), payload: { slug: 'acme', name: 'Acme' } }))
        .statusCode,
    ).toBe(201);
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  it('a burst of starts from one address: the first LIMIT answer a state, the rest 429 with Retry-After and a sentence, and store nothing', async () => {
    const start = (path: string) =>
      fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client-type=pygraphistry' });
    const answers = await Promise.all(Array.from({ length: LIMIT + 4 }, () => start('/api/v2/g/sso/oidc/login/')));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), ...Array<number>(4).fill(429)]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'THROTTLED', message: expect.stringContaining('Too many single sign-on starts from this address') });
    const stored = async () =>
      Number(
        (
          await t.db.read
            .selectFrom('sso_states')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await stored()).toBe(LIMIT);
    // The same counter holds for an organization's start and the browser's.
    const org = await start('/api/v2/o/acme/sso/oidc/login/corp/');
    expect(org.status).toBe(429);
    const page = await fetch(`${origin}/g/sso/oidc/corp/login/`, { redirect: 'manual' });
    expect(page.status).toBe(429);
    expect(await page.text()).toContain('Too many single sign-on starts');
    expect(await stored()).toBe(LIMIT);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';

/** Everything a test app logged, one string. */
function logSink() {
  const lines: string[] = [];
  return { write: (line: string) => void lines.push(line), text: () => lines.join('') };
}

describe.each(dialects())('secrets stay out of the log and the audit (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('regression: the info log recorded invitation tokens in invite URLs and query strings verbatim', async () => {
    const log = logSink();
    t = await makeTestApp(dialect, { log });
    const admin = await signup(t.app, 'admin');
    const inv = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: { grant_staff: true } }),
    );
    await t.app.inject({ method: 'GET', url: `/api/v2/auth/invitations/${inv.token}` });
    await t.app.inject({ method: 'GET', url: `/accounts/invite/${inv.token}/` });
    await t.app.inject({ method: 'GET', url: `/accounts/login/?next=/accounts/invite/${inv.token}/` });
    await t.app.inject({ method: 'GET', url: `/api/v2/me?access_token=${admin.token}`, headers: bearer(admin.token) });
    // One line per request, with the token redacted (not left out).
    expect(log.text()).toContain('"msg":"GET /api/v2/auth/invitations/[redacted] 200"');
    expect(log.text()).not.toContain(inv.token);
    expect(log.text()).not.toContain(admin.token);
  });

  it("a whole journey's log and audit hold none of the secrets it handled", async () => {
    const log = logSink();
    t = await makeTestApp(dialect, { log, config: { setupToken: 'setup-token-0123456789abcdef' } });
    const secrets: string[] = ['setup-token-0123456789abcdef', STRONG_PASSWORD];
    const keep = (...values: string[]) => secrets.push(...values);

    // First administrator, then an invitation that grants staff.
    const su = json<{ token: string; key: { id: string; secret: string } }>(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/auth/signup',
        payload: { username: 'admin', password: STRONG_PASSWORD, setup_token: 'setup-token-0123456789abcdef' },
      }),
    );
    keep(su.token, su.key.secret);
    const adminAuth = bearer(su.token);
    const inv = json<{ token: string; path: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: adminAuth, payload: { grant_staff: true, note: 'for Ana' } }),
    );
    keep(inv.token);

    // Ana opens the link and accepts it in the browser.
    const ana = formClient(t.app);
    await t.app.inject({ method: 'GET', url: `/api/v2/auth/invitations/${inv.token}` });
    expect((await ana.get(inv.path)).statusCode).toBe(200);
    keep(ana.csrf(), ana.jar.get('gadm_presession')!);
    const anaPassword = 'ana picks a long passphrase';
    keep(anaPassword);
    const accepted = await ana.post(inv.path, { username: 'ana', password: anaPassword, password2: anaPassword });
    expect(accepted.statusCode).toBe(303);
    keep(ana.jar.get('gadm_session')!);
    const dash = await ana.get('/dashboard/');
    const shown = [...dash.body.matchAll(/<code id="key-(?:id|secret|header)-\d+"[^>]*>([^<]+)<\/code>/g)].map((m) => m[1]!);
    expect(shown).toHaveLength(3);
    const anaKey = { id: shown[0]!, secret: shown[1]! };
    keep(anaKey.secret, ana.csrf());

    // A JWT from the dashboard; a wrong guess at the current password, then the change.
    await ana.post('/dashboard/token', {});
    const jwtShown = /<code id="jwt-\d+"[^>]*>([^<]+)<\/code>/.exec((await ana.get('/dashboard/')).body)![1]!;
    keep(jwtShown);
    const wrongGuess = 'not the current one';
    const newPassword = 'ana changes to another passphrase';
    keep(wrongGuess, newPassword);
    await ana.post('/dashboard/password', { current_password: wrongGuess, password: newPassword, password2: newPassword });
    await ana.get('/dashboard/');
    await ana.post('/dashboard/password', { current_password: anaPassword, password: newPassword, password2: newPassword });

    // Sign out and back in through a `next` that names the (now used) invitation link.
    await ana.get('/dashboard/');
    await ana.post('/accounts/logout/', {});
    await ana.get(`/accounts/login/?next=${encodeURIComponent(inv.path)}`);
    keep(ana.jar.get('gadm_presession')!);
    await ana.post('/accounts/login/', { username: 'ana', password: newPassword, next: inv.path });
    keep(ana.jar.get('gadm_session')!);

    // API clients: key exchange, refresh, verify, a bad key, a bad password, a token in a query string.
    const ex = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: `PersonalKey ${anaKey.id}:${anaKey.secret}` } }),
    );
    const refreshed = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api-token-refresh/', payload: { token: ex.token } }));
    keep(ex.token, refreshed.token);
    await t.app.inject({ method: 'POST', url: '/api-token-verify/', payload: { token: refreshed.token } });
    const badSecret = 'A'.repeat(43);
    keep(badSecret);
    await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: `PersonalKey ${anaKey.id}:${badSecret}` } });
    await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: { authorization: `PersonalKey ${badSecret}:${badSecret}` } });
    const badPassword = 'a wrong password typed';
    keep(badPassword);
    await t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username: 'ana', password: badPassword } });
    await t.app.inject({ method: 'GET', url: `/api/v2/me?token=${refreshed.token}`, headers: bearer(refreshed.token) });

    // Admin work: a user, their password, a key for them, a revoked invitation.
    const bob = json<{ key: { secret: string } }>(
      await t.app.inject({
        method: 'POST',
        url: '/api/v2/admin/users',
        headers: adminAuth,
        payload: { username: 'bob', password: 'bob has a long passphrase' },
      }),
    );
    keep('bob has a long passphrase', bob.key.secret);
    await t.app.inject({ method: 'POST', url: '/api/v2/admin/users/3/password', headers: adminAuth, payload: { password: 'bob gets a new passphrase' } });
    keep('bob gets a new passphrase');
    const bobKey = json<{ secret: string }>(
      await t.app.inject({ method: 'POST', url: '/api/v2/admin/users/3/keys', headers: adminAuth, payload: { name: 'ci' } }),
    );
    keep(bobKey.secret);
    const inv2 = json<{ id: string; token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: adminAuth, payload: {} }));
    keep(inv2.token);
    await t.app.inject({ method: 'DELETE', url: `/api/v2/admin/invitations/${inv2.id}`, headers: adminAuth });
    await t.app.inject({ method: 'GET', url: `/accounts/invite/${inv2.token}/` });
    await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv2.token, username: 'eve', password: 'eve tries a passphrase' },
    });
    keep('eve tries a passphrase');

    const env = readFileSync(`${t.dataDir}/.env`, 'utf8');
    keep(
      ...env
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => l.slice(l.indexOf('=') + 1)),
    );

    const audit = JSON.stringify(await t.db.read.selectFrom('audit_log').selectAll().execute());
    const text = log.text();
    expect(text.split('\n').length).toBeGreaterThan(25); // one line per request
    expect(audit).toContain('invitation.accept');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text, 'log').not.toContain(secret);
      expect(audit, 'audit').not.toContain(secret);
    }
  });
});

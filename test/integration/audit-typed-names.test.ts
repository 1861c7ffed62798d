import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema } from '../helpers/postgres.ts';
import { formClient } from '../helpers/form-client.ts';

interface Entry {
  actor: string;
  target: string | null;
  action: string;
  outcome: string;
  detail: Record<string, unknown> | null;
}

const MARKER = /^[^#]{1,3}…#[0-9a-f]{8}$/u;

describe.each(dialects())('what the audit log keeps of typed names and pasted secrets (%s)', (dialect) => {
  let t: TestApp;
  let other: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await other?.close();
    other = undefined;
  });

  const audit = async (token: string, query = '') =>
    json<{ count: number; results: Entry[] }>(await t.app.inject({ method: 'GET', url: `/api/v2/admin/audit?page_size=500${query}`, headers: bearer(token) }));
  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api-token-auth/', payload: { username, password } });

  it('regression: a failed sign-in recorded the typed name verbatim as actor and target (a pasted password, a whole PersonalKey header, a key secret, an invitation token)', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const bobPassword = 'bob has a long passphrase';
    const bob = await adminCreateUser(t.app, admin.token, { username: 'bob', email: 'bob@example.io', password: bobPassword });
    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    const pasted = [bobPassword, bob.key.authorization, `${bob.key.id}:${bob.key.secret}`, bob.key.secret, inv.token];
    for (const typed of pasted) expect((await login(typed, 'whatever it was')).statusCode).toBe(400);
    // A JWT is longer than any name the sign-in takes: refused before the check, and not recorded either.
    expect(json(await login(admin.token, 'whatever it was')).error).toBe('VALIDATION');
    // The sign-in page goes through the same check.
    const browser = formClient(t.app);
    await browser.get('/accounts/login/');
    const page = await browser.post('/accounts/login/', { username: bob.key.authorization, password: 'x', next: '/dashboard/' });
    expect(page.statusCode).toBe(400);
    // Names of existing accounts (a username in another case, an email) are kept as typed.
    await login('BOB', 'wrong password for bob');
    await login('bob@example.io', 'wrong password for bob');

    const failures = (await audit(admin.token, '&action=auth.login&outcome=failure')).results;
    const text = JSON.stringify(failures);
    for (const secret of [...pasted, admin.token]) expect(text).not.toContain(secret);
    const unknown = failures.filter((e) => e.detail?.reason === 'unknown_user');
    expect(unknown).toHaveLength(pasted.length + 1);
    for (const e of unknown) {
      expect(e.actor).toMatch(MARKER);
      expect(e.target).toBe(e.actor);
    }
    expect(unknown.map((e) => e.actor)).toContain(t.services.audit.unknownName(bobPassword));
    expect(t.services.audit.unknownName(bobPassword).startsWith('bob…#')).toBe(true);
    // Repeated tries of one text group under one marker (and the actor filter finds them); other texts differ.
    const headerMarker = t.services.audit.unknownName(bob.key.authorization);
    expect(unknown.filter((e) => e.actor === headerMarker)).toHaveLength(2);
    expect((await audit(admin.token, `&actor=${encodeURIComponent(headerMarker)}`)).count).toBe(2);
    expect(new Set(unknown.map((e) => e.actor)).size).toBe(pasted.length);
    expect(failures.filter((e) => e.detail?.reason === 'bad_password').map((e) => [e.actor, e.target])).toEqual([
      ['bob@example.io', 'bob@example.io'],
      ['BOB', 'BOB'],
    ]);
    // The hash is keyed with the installation's .env secret: another installation marks the same text differently.
    other = await makeTestApp(dialect);
    expect(other.services.audit.unknownName(bobPassword)).not.toBe(t.services.audit.unknownName(bobPassword));
  });

  it('entries written before this change keep only the first three characters of a name that matched no account (migration 0008a)', async () => {
    const dataDir = tempDir();
    const pgSchema = dialect === 'postgres' ? await createSchema() : undefined;
    const opts = { dataDir, ...(pgSchema ? { pgSchema } : {}) };
    try {
      t = await makeTestApp(dialect, opts);
      const admin = await signup(t.app, 'admin');
      const k = t.db.write;
      await sql`delete from graphistry_admin_migrations where name = '0008a_audit_unknown_names'`.execute(k);
      const at = new Date().toISOString();
      const row = (actor: string, target: string | null, targetType: string | null, reason: string) =>
        k
          .insertInto('audit_log')
          .values({
            at,
            actor_id: null,
            actor,
            action: 'auth.login',
            target_type: targetType,
            target_id: null,
            target,
            client_ip: '127.0.0.1',
            outcome: 'failure',
            detail: JSON.stringify({ reason }),
          })
          .execute();
      await row(admin.key.authorization, admin.key.authorization, null, 'unknown_user');
      await row('hunter2hunter2', 'hunter2hunter2', null, 'throttled');
      await row('admin', 'admin', 'user', 'bad_password');
      await t.close();
      t = await makeTestApp(dialect, opts); // migrates again
      const rows = await t.db.read.selectFrom('audit_log').select(['actor', 'target']).where('action', '=', 'auth.login').orderBy('id').execute();
      expect(rows.slice(-3)).toEqual([
        { actor: 'Per…#old', target: 'Per…#old' },
        { actor: 'hun…#old', target: 'hun…#old' },
        { actor: 'admin', target: 'admin' },
      ]);
      expect(JSON.stringify(await t.db.read.selectFrom('audit_log').selectAll().execute())).not.toContain(admin.key.secret);
    } finally {
      await t?.close();
      t = undefined as unknown as TestApp;
      if (pgSchema) await dropSchema(pgSchema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('regression: only secret-named detail fields were redacted, so a PersonalKey header as a key’s name, or a token or key secret as a refused sign-up’s or accept’s name, reached every superuser', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const inv = json<{ token: string }>(await t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(admin.token), payload: {} }));
    // A key named with a pasted header.
    const named = await t.app.inject({ method: 'POST', url: '/api/v2/me/keys', headers: bearer(admin.token), payload: { name: admin.key.authorization } });
    expect(named.statusCode).toBe(201);
    // A refused sign-up whose name is an invitation token (43 base64url characters are a valid username).
    const closed = await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: inv.token, password: STRONG_PASSWORD } });
    expect(json(closed).error).toBe('SIGNUPS_CLOSED');
    // A refused accept of a used link, with a key secret typed as the name.
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv.token, username: 'ana', password: STRONG_PASSWORD },
    });
    expect(ok.statusCode).toBe(201);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v2/auth/invitations/accept',
      payload: { token: inv.token, username: admin.key.secret, password: STRONG_PASSWORD },
    });
    expect(json(again).error).toBe('INVITATION_USED');

    const entries = (await audit(admin.token)).results;
    const text = JSON.stringify(entries);
    for (const secret of [admin.key.secret, admin.key.authorization, inv.token, admin.token]) expect(text).not.toContain(secret);
    const keyEntry = entries.find((e) => e.action === 'key.create' && e.detail?.name !== 'default')!;
    expect(keyEntry.detail?.name).toBe('PersonalKey [redacted]');
    const signupFailure = entries.find((e) => e.action === 'user.signup' && e.outcome === 'failure')!;
    expect([signupFailure.actor, signupFailure.target]).toEqual(['[redacted]', '[redacted]']);
    expect(entries.find((e) => e.action === 'invitation.accept' && e.outcome === 'failure')!.actor).toBe('[redacted]');
    // Ordinary names and details are untouched.
    expect(entries.find((e) => e.action === 'user.signup' && e.target === 'ana')).toBeDefined();
    expect(entries.filter((e) => e.actor === 'admin').length).toBeGreaterThan(2);
  });
});

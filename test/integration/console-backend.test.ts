import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedBackend } from '../../src-main/backend/embedded-backend.ts';
import type { Backend } from '../../src-main/contracts.ts';
import { failure } from '../helpers/failure.ts';
import type { NewPersonalKey, RegistrationState, User } from '../../src-shared/domain.ts';
import { dialects, makeTestApp, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';

const names = (users: ReadonlyArray<{ username: string }>) => users.map((u) => u.username);

describe.each(dialects())('embedded backend against a real server (%s)', (dialect) => {
  let t: TestApp;
  let anon: Backend;
  let admin: Backend;
  let before: RegistrationState;
  let first: { user: User; key: NewPersonalKey; token: string };

  beforeAll(async () => {
    // Two failed sign-ins throttle an account, so the rate-limit test needs three calls.
    t = await makeTestApp(dialect, { config: { throttleAccountFailures: 2 } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    anon = createEmbeddedBackend({ baseUrl: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/` });
    before = await anon.registrationState();
    first = await anon.signUp({ username: 'admin', password: STRONG_PASSWORD, email: 'admin@example.com' });
    admin = anon.withAuth({ type: 'personal_key', id: first.key.id, secret: first.key.secret });
  });
  afterAll(async () => t?.close());

  it('checks health, signs up the first admin and signs in by password and by key', async () => {
    await expect(anon.health()).resolves.toBeUndefined();
    expect(before).toMatchObject({ has_users: false, signups_open: true });
    expect(before.password_rules.length).toBeGreaterThan(0);
    expect(first.user).toMatchObject({ username: 'admin', is_superuser: true, is_staff: true });
    expect(first.key.key).toMatchObject({ id: first.key.id, prefix: first.key.secret.slice(0, 6), is_active: true });
    expect(first.key.authorization).toBe(`PersonalKey ${first.key.id}:${first.key.secret}`);
    expect(await anon.registrationState()).toMatchObject({ has_users: true, signups_open: false });
    const { token } = await anon.login('admin', STRONG_PASSWORD);
    expect((await anon.withAuth({ type: 'bearer', token }).me()).username).toBe('admin');
    // GET /me adds `auth`; the backend passes on only the User shape.
    expect(Object.keys(await admin.me()).sort()).toEqual(Object.keys(first.user).sort());
  });

  it('searches, filters, orders and pages users; creates, edits, re-passwords and deletes one', async () => {
    const carol = await admin.createUser({ username: 'carol', password: STRONG_PASSWORD, email: 'carol@example.com', is_staff: true });
    expect(carol.user).toMatchObject({ username: 'carol', is_staff: true, is_superuser: false });
    expect(carol.key!.key.id).toBe(carol.key!.id);
    await admin.createUser({ username: 'dave', password: STRONG_PASSWORD });
    const staff = await admin.listUsers({ is_staff: true, ordering: '-username', page_size: 1 });
    expect(staff).toMatchObject({ count: 2, page: 1, page_size: 1 });
    expect(names(staff.results)).toEqual(['carol']);
    expect(names((await admin.listUsers({ search: 'DAV' })).results)).toEqual(['dave']);
    expect(names((await admin.listUsers({ is_superuser: false, is_active: true, ordering: 'username', page: 2, page_size: 1 })).results)).toEqual(['dave']);

    const id = carol.user.id;
    expect(await admin.updateUser(id, { is_staff: false, email: null })).toMatchObject({ is_staff: false, email: null });
    expect((await admin.getUser(id)).is_staff).toBe(false);
    await admin.setUserPassword(id, 'a much better passphrase');
    expect((await anon.login('carol', 'a much better passphrase')).token.split('.')).toHaveLength(3);
    // The console's own sign-in: her password is right (else INVALID_CREDENTIALS), and she is refused for not being a superuser.
    expect(await failure(anon.login('carol', 'a much better passphrase', { requireSuperuser: true }))).toMatchObject({
      code: 'FORBIDDEN',
      serverCode: 'SUPERUSER_REQUIRED',
    });
    await admin.deleteUser(id);
    expect(await failure(admin.getUser(id))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'USER_NOT_FOUND' });
  });

  it("creates and revokes the admin's keys and another user's, and mints a JWT", async () => {
    expect((await admin.listKeys('me')).map((k) => k.id)).toEqual([first.key.id]);
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const mine = await admin.createKey('me', { name: 'laptop', expires_at: expires });
    expect(mine.key).toMatchObject({ name: 'laptop', is_active: true, revoked_at: null });
    expect(Date.parse(mine.key.expires_at ?? '')).toBe(Date.parse(expires));
    const viaKey = anon.withAuth({ type: 'personal_key', id: mine.id, secret: mine.secret });
    const jwt = await viaKey.mintJwt();
    expect(Date.parse(jwt.expires_at)).toBeGreaterThan(Date.now());
    expect((await anon.withAuth({ type: 'bearer', token: jwt.token }).me()).username).toBe('admin');
    expect((await admin.revokeKey('me', mine.id)).is_active).toBe(false);
    expect(await failure(viaKey.me())).toMatchObject({ code: 'UNAUTHORIZED' });

    const dave = (await admin.listUsers({ search: 'dave' })).results[0]!;
    const his = await admin.createKey(dave.id, { name: 'ci' });
    expect((await admin.listKeys(dave.id)).map((k) => k.name)).toEqual(expect.arrayContaining(['ci']));
    expect((await admin.revokeKey(dave.id, his.id)).revoked_at).not.toBeNull();
    expect(await failure(admin.revokeKey(dave.id, 'nosuchkey'))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'KEY_NOT_FOUND' });
  });

  it('reads and changes settings, manages invitations and reads the audit log', async () => {
    expect((await admin.getSettings()).map((s) => [s.key, s.type]).sort()).toEqual([
      ['IS_ORG_CREATION_OPEN', 'boolean'],
      ['IS_SIGNUPS_OPEN_AFTER_FIRST', 'boolean'],
      ['IS_SIGNUP_STAFF_BY_DEFAULT', 'boolean'],
      ['IS_SSO_SIGNUP', 'boolean'],
      ['PUBLIC_URL', 'text'],
    ]);
    const changed = await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: true });
    expect(changed.find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')).toMatchObject({ value: true, updated_by: 'admin' });
    expect((await anon.registrationState()).signups_open).toBe(true);
    await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: false });

    const inv = await admin.createInvitation({ expires_in_hours: 2, grant_staff: true, note: 'for erin' });
    expect(inv.invitation).toMatchObject({ status: 'pending', grant_staff: true, note: 'for erin', created_by: 'admin' });
    expect(inv.path).toContain(inv.token);
    // No public URL set: the server leaves the address to the console.
    expect(inv.url).toBeNull();
    expect((await admin.listInvitations('pending')).map((i) => i.id)).toEqual([inv.invitation.id]);
    expect((await admin.revokeInvitation(inv.invitation.id)).status).toBe('revoked');
    expect(await admin.listInvitations('pending')).toEqual([]);
    expect((await admin.listInvitations('all')).map((i) => i.status)).toEqual(['revoked']);

    const audit = await admin.listAudit({ action: 'settings.change', page_size: 1 });
    expect(audit).toMatchObject({ count: 2, page: 1, page_size: 1 });
    expect(audit.results[0]).toMatchObject({ actor: 'admin', target: 'IS_SIGNUPS_OPEN_AFTER_FIRST', detail: { from: true, to: false } });
  });

  it('maps refusals: validation with fields and rule, unauthorized, forbidden, not found', async () => {
    const weak = await failure(admin.createUser({ username: 'erin', password: 'erin' }));
    expect(weak).toMatchObject({ code: 'VALIDATION', serverCode: 'WEAK_PASSWORD', fields: [{ field: 'password', rule: 'min_length' }] });
    const badName = await failure(admin.createUser({ username: 'has space', password: STRONG_PASSWORD }));
    expect(badName).toMatchObject({ code: 'VALIDATION', serverCode: 'VALIDATION', fields: [{ field: 'username' }] });

    const wrongSecret = 'w'.repeat(43);
    const wrongKey = await failure(anon.withAuth({ type: 'personal_key', id: first.key.id, secret: wrongSecret }).me());
    expect(wrongKey).toMatchObject({ code: 'UNAUTHORIZED', serverCode: 'UNAUTHENTICATED' });
    expect(JSON.stringify(wrongKey)).not.toContain(wrongSecret);
    // A wrong password answers 400 on Graphistry's path; it is still a refused identity, not a form error.
    expect(await failure(anon.login('ghost', 'not the password'))).toMatchObject({ code: 'UNAUTHORIZED', serverCode: 'INVALID_CREDENTIALS' });

    const frank = await admin.createUser({ username: 'frank', password: STRONG_PASSWORD });
    const asFrank = anon.withAuth({ type: 'personal_key', id: frank.key!.id, secret: frank.key!.secret });
    expect((await asFrank.me()).username).toBe('frank');
    expect(await failure(asFrank.listUsers({}))).toMatchObject({ code: 'FORBIDDEN', serverCode: 'SUPERUSER_REQUIRED' });
    expect(await failure(anon.signUp({ username: 'late', password: STRONG_PASSWORD }))).toMatchObject({ code: 'FORBIDDEN', serverCode: 'SIGNUPS_CLOSED' });
    expect(await failure(admin.getUser(999_999))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'USER_NOT_FOUND' });
  });

  it('maps conflicts to the field they concern, LAST_SUPERUSER included', async () => {
    const dup = await failure(admin.createUser({ username: 'ADMIN', password: STRONG_PASSWORD }));
    expect(dup).toMatchObject({ code: 'CONFLICT', serverCode: 'USERNAME_TAKEN', fields: [{ field: 'username' }] });
    const demote = await failure(admin.updateUser(first.user.id, { is_superuser: false }));
    expect(demote).toMatchObject({ code: 'CONFLICT', serverCode: 'LAST_SUPERUSER' });
    expect(demote.fields?.map((f) => f.field)).toEqual(['is_superuser']);
    const deactivate = await failure(admin.updateUser(first.user.id, { is_active: false }));
    expect(deactivate.fields?.map((f) => f.field)).toEqual(['is_active']);
    expect(await failure(admin.deleteUser(first.user.id))).toMatchObject({ code: 'CONFLICT', serverCode: 'LAST_SUPERUSER' });
    expect((await admin.me()).is_superuser).toBe(true);
  });

  it('says when to retry once sign-ins are throttled', async () => {
    await admin.createUser({ username: 'grace', password: STRONG_PASSWORD });
    for (let i = 0; i < 2; i++) expect((await failure(anon.login('grace', 'wrong guess'))).code).toBe('UNAUTHORIZED');
    const limited = await failure(anon.login('grace', STRONG_PASSWORD));
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', serverCode: 'THROTTLED' });
    expect(limited.message).toMatch(/try again in 15 minutes/); // the default 900 s window
  });
});

describe('embedded backend: answers that are not the server', () => {
  const servers: Server[] = [];
  const listen = async (server: Server): Promise<number> => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const closeServer = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  afterAll(async () => Promise.all(servers.filter((s) => s.listening).map(closeServer)));
  const secret = 's'.repeat(43);
  const withKey = (baseUrl: string, extra: { timeoutMs?: number } = {}) =>
    createEmbeddedBackend({ baseUrl, auth: { type: 'personal_key', id: 'abc123', secret }, ...extra });

  it('reports a closed port, and a server that never answers, as unreachable, naming the host', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await closeServer(probe);
    const refused = await failure(withKey(`http://127.0.0.1:${port}`).me());
    expect(refused.code).toBe('UNREACHABLE');
    expect(refused.message).toContain(`127.0.0.1:${port}`);

    const silent = await listen(createServer(() => undefined));
    const started = Date.now();
    const timedOut = await failure(withKey(`http://127.0.0.1:${silent}`, { timeoutMs: 300 }).me());
    expect(timedOut).toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('did not answer within 0.3 seconds') });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('says a web server answering HTML is not a Graphistry Admin server, and never echoes the key', async () => {
    const page: RequestListener = (req, res) => {
      if (req.url === '/api/v2/me/keys') {
        // A careless server quoting the credential back must not get it into the console's error.
        return void res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'UNAUTHENTICATED', message: `Bad ${req.headers.authorization}` }));
      }
      const status = req.url?.startsWith('/api/v2/admin/settings') ? 502 : req.url?.startsWith('/api/v2/admin/users') ? 404 : 200;
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><body>${req.headers.authorization}</body></html>`);
    };
    const backend = withKey(`http://127.0.0.1:${await listen(createServer(page))}`);
    for (const call of [backend.me(), backend.health(), backend.listUsers({})]) {
      const e = await failure(call);
      expect(e).toMatchObject({ code: 'UNREACHABLE', serverCode: 'NOT_GRAPHISTRY', message: expect.stringMatching(/is not a Graphistry Admin server/) });
      expect(JSON.stringify(e)).not.toContain(secret);
    }
    expect((await failure(backend.getSettings())).code).toBe('SERVER_ERROR');
    const echoed = await failure(backend.listKeys('me'));
    expect(echoed).toMatchObject({ code: 'UNAUTHORIZED', serverCode: 'UNAUTHENTICATED', message: 'Bad [redacted]' });
  });

  const OPENSSL = '/usr/bin/openssl';
  if (!existsSync(OPENSSL)) process.stderr.write(`\n!!! ${OPENSSL} is missing: SKIPPING the TLS test of the embedded backend.\n\n`);

  /** A throwaway self-signed certificate for the given subjectAltName (node:crypto cannot make one). */
  const selfSigned = (san: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'gadm-tls-'));
    try {
      const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
      execFileSync(
        OPENSSL,
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=gadm-test',
          '-addext',
          `subjectAltName=${san}`,
        ],
        { stdio: 'pipe' },
      );
      return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const ok: RequestListener = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');

  it.skipIf(!existsSync(OPENSSL))('maps an untrusted, misnamed or missing certificate to TLS, and trusts a given CA', async () => {
    const good = selfSigned('IP:127.0.0.1');
    const url = `https://127.0.0.1:${await listen(createTlsServer(good, ok))}`;
    const untrusted = await failure(createEmbeddedBackend({ baseUrl: url }).health());
    expect(untrusted).toMatchObject({ code: 'TLS', message: expect.stringContaining('DEPTH_ZERO_SELF_SIGNED_CERT') });
    expect(untrusted.message).toContain(new URL(url).host);
    await expect(createEmbeddedBackend({ baseUrl: url, ca: good.cert }).health()).resolves.toBeUndefined();

    const other = selfSigned('DNS:example.invalid');
    const misnamed = `https://127.0.0.1:${await listen(createTlsServer(other, ok))}`;
    expect(await failure(createEmbeddedBackend({ baseUrl: misnamed, ca: other.cert }).health())).toMatchObject({
      code: 'TLS',
      message: expect.stringContaining('another name'),
    });

    const plain = `https://127.0.0.1:${await listen(createServer(ok))}`;
    expect(await failure(createEmbeddedBackend({ baseUrl: plain }).health())).toMatchObject({ code: 'TLS', message: expect.stringContaining('http://') });
  });
});

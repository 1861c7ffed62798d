import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manualClock } from '../../src-server/lib/clock.ts';
import { randomSecret } from '../../src-server/lib/crypto.ts';
import { createFastTestHasher, type PasswordHasher } from '../../src-server/lib/password-hasher.ts';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, tempDir, type SignedUp, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));
const ADMIN = '/api/v2/admin/invitations';

interface Created {
  id: string;
  token: string;
  path: string;
  status: string;
  grant_staff: boolean;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_by: number | null;
  used_by_username: string | null;
  url: string | null;
}

/**
 * The fast test hasher, plus a gate: once `hold(n)` is called, each hash waits
 * until n are in flight. Acceptances hash after the pre-lock check, so held
 * racers all reach the locked claim, which alone must then pick one winner.
 */
function gatedHasher(): PasswordHasher & { hold(n: number): void } {
  const inner = createFastTestHasher();
  let gate: { n: number; waiting: Array<() => void> } | null = null;
  return {
    async hash(password) {
      const digest = await inner.hash(password);
      const g = gate;
      if (g) {
        await new Promise<void>((release) => {
          g.waiting.push(release);
          if (g.waiting.length === g.n) g.waiting.forEach((r) => r());
        });
      }
      return digest;
    },
    verify: (stored, password) => inner.verify(stored, password),
    hold(n) {
      gate = { n, waiting: [] };
    },
  };
}

describe.each(dialects())('invitations (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  // Admin calls authenticate with the personal key: one test moves the clock past a JWT's one-hour lifetime.
  const as = (u: SignedUp) => ({ authorization: u.key.authorization });
  const invite = (u: SignedUp, payload: Record<string, unknown> = {}) => t.app.inject({ method: 'POST', url: ADMIN, headers: as(u), payload });
  const created = async (u: SignedUp, payload: Record<string, unknown> = {}) => {
    const res = await invite(u, payload);
    expect(res.statusCode, res.body).toBe(201);
    return json<Created>(res);
  };
  const accept = (token: string, username: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v2/auth/invitations/accept', payload: { token, username, password: STRONG_PASSWORD, ...extra } });
  const inspect = async (token: string) =>
    json<{ status: string; invitation: Record<string, unknown> | null }>(await t.app.inject({ method: 'GET', url: `/api/v2/auth/invitations/${token}` }));
  const userCount = async () => (await t.services.users.list({})).count;

  it('a link made while sign-up is closed gives one ordinary account, staff only when granted, and works once', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    expect(json(await t.app.inject({ method: 'POST', url: '/api/v2/auth/signup', payload: { username: 'bob', password: STRONG_PASSWORD } })).error).toBe(
      'SIGNUPS_CLOSED',
    );

    const plain = await created(admin, { note: 'for Bob' });
    expect(plain).toMatchObject({ status: 'pending', grant_staff: false, created_by: 'admin', used_by: null });
    expect(plain.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(plain.path).toBe(`/accounts/invite/${plain.token}/`);
    expect(Date.parse(plain.expires_at) - Date.parse(plain.created_at)).toBe(72 * 3_600_000);
    const seen = await inspect(plain.token);
    expect(seen).toEqual({
      status: 'valid',
      invitation: { expires_at: plain.expires_at, grant_staff: false, note: 'for Bob' },
      organization: null,
      role: null,
    });

    const bobRes = await accept(plain.token, 'bob', { email: 'bob@example.com' });
    expect(bobRes.statusCode, bobRes.body).toBe(201);
    const bob = json<{ user: { id: number; is_staff: boolean; is_superuser: boolean }; key: { authorization: string }; token: string }>(bobRes);
    expect(bob.user).toMatchObject({ is_staff: false, is_superuser: false });
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(bob.token) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: { authorization: bob.key.authorization } })).statusCode).toBe(200);

    const again = await accept(plain.token, 'bob2');
    expect(again.statusCode).toBe(410);
    expect(json(again).error).toBe('INVITATION_USED');
    expect((await inspect(plain.token)).status).toBe('used');

    const staff = await created(admin, { grant_staff: true, expires_in_hours: 1 });
    expect(Date.parse(staff.expires_at) - Date.parse(staff.created_at)).toBe(3_600_000);
    const carol = json<{ user: { is_staff: boolean; is_superuser: boolean } }>(await accept(staff.token, 'carol'));
    expect(carol.user).toMatchObject({ is_staff: true, is_superuser: false });
    expect(await userCount()).toBe(3);

    const pending = json<{ results: Created[] }>(await t.app.inject({ method: 'GET', url: ADMIN, headers: as(admin) }));
    expect(pending.results).toEqual([]);
    const allRes = await t.app.inject({ method: 'GET', url: `${ADMIN}?status=all`, headers: as(admin) });
    const all = json<{ results: Created[] }>(allRes).results;
    expect(all.map((i) => [i.id, i.status, i.used_by, i.used_by_username])).toEqual([
      [staff.id, 'used', expect.any(Number), 'carol'],
      [plain.id, 'used', bob.user.id, 'bob'],
    ]);
    // The link is whole only when the server knows its public address.
    expect(plain.url).toBeNull();
    await t.services.settings.update({ userId: null, username: 'admin', ip: null }, { PUBLIC_URL: 'https://graphistry.example.com/' });
    const withBase = await created(admin);
    expect(withBase.url).toBe(`https://graphistry.example.com/accounts/invite/${withBase.token}/`);
    const audit = await t.services.audit.list({ page: 1, pageSize: 100 });
    const actions = audit.results.map((r) => r.action);
    expect(actions.filter((a) => a === 'invitation.create')).toHaveLength(3);
    expect(
      audit.results
        .filter((r) => r.action === 'invitation.accept')
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['failure', 'success', 'success']);
    expect(audit.results.filter((r) => r.action === 'user.signup' && r.detail?.via === 'invitation')).toHaveLength(2);
    // Neither the token nor anything that would let a reader rebuild the link.
    for (const token of [plain.token, staff.token]) {
      expect(allRes.body).not.toContain(token);
      expect(JSON.stringify(audit)).not.toContain(token);
    }
    const hashes = await t.db.read.selectFrom('invitations').select('token_hash').execute();
    expect(hashes.map((h) => h.token_hash)).not.toContain(plain.token);
  });

  it('refuses expired, revoked and unknown links, naming the reason, and creates no account', async () => {
    const clock = manualClock();
    t = await makeTestApp(dialect, { clock });
    const admin = await signup(t.app, 'admin');
    const short = await created(admin, { expires_in_hours: 1 });
    const later = await created(admin);

    clock.advance(3_600_000 - 1);
    expect((await inspect(short.token)).status).toBe('valid');
    clock.advance(1);
    expect((await inspect(short.token)).status).toBe('expired');
    const expired = await accept(short.token, 'erin');
    expect([expired.statusCode, json(expired).error]).toEqual([410, 'INVITATION_EXPIRED']);

    const revoked = await t.app.inject({ method: 'DELETE', url: `${ADMIN}/${later.id}`, headers: as(admin) });
    expect(json(revoked)).toMatchObject({ id: later.id, status: 'revoked', revoked_at: clock.now().toISOString() });
    expect((await t.app.inject({ method: 'DELETE', url: `${ADMIN}/${later.id}`, headers: as(admin) })).statusCode).toBe(200);
    expect((await inspect(later.token)).status).toBe('revoked');
    const refused = await accept(later.token, 'erin');
    expect([refused.statusCode, json(refused).error]).toEqual([410, 'INVITATION_REVOKED']);

    const unknown = await accept(randomSecret(32), 'erin');
    expect([unknown.statusCode, json(unknown).error]).toEqual([404, 'INVITATION_NOT_FOUND']);
    expect(await inspect(randomSecret(32))).toEqual({ status: 'unknown', invitation: null, organization: null, role: null });
    expect((await t.app.inject({ method: 'DELETE', url: `${ADMIN}/NoSuchInvite1234`, headers: as(admin) })).statusCode).toBe(404);
    expect(await userCount()).toBe(1);

    const used = await created(admin);
    expect((await accept(used.token, 'frank')).statusCode).toBe(201);
    const late = await t.app.inject({ method: 'DELETE', url: `${ADMIN}/${used.id}`, headers: as(admin) });
    expect([late.statusCode, json(late).error]).toEqual([410, 'INVITATION_USED']);

    const failures = (await t.services.audit.list({ page: 1, pageSize: 100, action: 'invitation.accept', outcome: 'failure' })).results;
    expect(failures.map((f) => f.detail?.reason).sort()).toEqual(['INVITATION_EXPIRED', 'INVITATION_REVOKED']);
  });

  it('a username clash, a weak password or a malformed username leaves the link usable', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const inv = await created(admin);
    const clash = await accept(inv.token, 'ADMIN');
    expect([clash.statusCode, json(clash).error]).toEqual([409, 'USERNAME_TAKEN']);
    const weak = await accept(inv.token, 'dave', { password: '12345678901' });
    expect([weak.statusCode, json(weak).error]).toEqual([400, 'WEAK_PASSWORD']);
    // The invite page calls the service directly, so the service itself refuses what the JSON schema would.
    await expect(t.services.invitations.accept(inv.token, { username: 'esc\u001bape', password: STRONG_PASSWORD }, null)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(t.services.invitations.accept(inv.token, { username: 'dave', password: STRONG_PASSWORD, email: 'not-an-email' }, null)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect((await inspect(inv.token)).status).toBe('valid');
    expect((await accept(inv.token, 'dave')).statusCode).toBe(201);
  });

  it('ten people racing on one link make exactly one account', async () => {
    const hasher = gatedHasher();
    t = await makeTestApp(dialect, { hasher });
    const admin = await signup(t.app, 'admin');
    const inv = await created(admin);
    hasher.hold(10);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => accept(inv.token, `racer${i}`)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, ...Array(9).fill(410)]);
    expect(results.filter((r) => r.statusCode === 410).every((r) => json(r).error === 'INVITATION_USED')).toBe(true);
    const winner = json<{ user: { id: number } }>(results.find((r) => r.statusCode === 201)!).user;
    expect(await userCount()).toBe(2);
    const [row] = (await t.services.invitations.list({ status: 'all' })).filter((i) => i.id === inv.id);
    expect(row).toMatchObject({ status: 'used', used_by: winner.id });
  });

  it('admin routes need a superuser (staff is not enough) and validate their input', async () => {
    t = await makeTestApp(dialect);
    const admin = await signup(t.app, 'admin');
    const staff = await adminCreateUser(t.app, admin.token, { username: 'stan', is_staff: true });
    const inv = await created(admin);
    const calls = [
      { method: 'POST' as const, url: ADMIN, payload: {} },
      { method: 'GET' as const, url: ADMIN },
      { method: 'DELETE' as const, url: `${ADMIN}/${inv.id}` },
    ];
    for (const call of calls) {
      const forbidden = await t.app.inject({ ...call, headers: bearer(staff.token) });
      expect([forbidden.statusCode, json(forbidden).error], call.method).toEqual([403, 'SUPERUSER_REQUIRED']);
      expect((await t.app.inject(call)).statusCode, call.method).toBe(401);
    }
    expect((await inspect(inv.token)).status).toBe('valid');
    for (const bad of [{ expires_in_hours: 0 }, { expires_in_hours: 721 }, { expires_in_hours: 1.5 }, { note: 'a\u0007b' }, { grant_superuser: true }]) {
      const res = await invite(admin, bad);
      expect([res.statusCode, json(res).error], JSON.stringify(bad)).toEqual([400, 'VALIDATION']);
    }
  });
});

describe.each(dialects())('graphistry-admin invites (%s)', (dialect) => {
  let t: TestApp | undefined;
  let dataDir: string;
  let schema: string | null = null;
  afterEach(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  it('creates links (path, or full URL with --base-url), lists them without tokens, and revokes', async () => {
    dataDir = tempDir();
    schema = dialect === 'postgres' ? await createSchema() : null;
    // The app shares the CLI's data dir (so its .env, hence the token HMAC key) and database.
    t = await makeTestApp(dialect, { dataDir, ...(schema ? { pgSchema: schema } : {}) });
    const base = ['--data-dir', dataDir, ...(schema ? ['--database-url', urlWithSchema(schema)] : [])];
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args, ...base], { encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as Record<string, unknown> };
    };

    const full = cli(['invites', 'create', '--staff', '--expires-in-hours', '5', '--note', 'for Erin', '--base-url', 'https://g.example.com/', '--json']);
    expect(full.code, full.err).toBe(0);
    const first = full.json() as unknown as Created & { url: string };
    expect(first).toMatchObject({ grant_staff: true, note: 'for Erin', status: 'pending' });
    expect(first.url).toBe(`https://g.example.com/accounts/invite/${first.token}/`);

    const human = cli(['invites', 'create']);
    expect(human.code, human.err).toBe(0);
    expect(human.out).toMatch(/shown this once/);
    const secondToken = /\/accounts\/invite\/([A-Za-z0-9_-]+)\//.exec(human.out)![1]!;

    const listed = cli(['invites', 'list', '--json']);
    const rows = listed.json().results as Array<{ id: string; created_by: string }>;
    expect(rows).toHaveLength(2);
    expect(rows[0]!.created_by).toMatch(/^cli:/);
    expect(listed.out).not.toContain(first.token);
    expect(listed.out).not.toContain(secondToken);
    const secondId = rows.find((r) => r.id !== first.id)!.id;

    const revoked = cli(['invites', 'revoke', secondId, '--json']);
    expect(revoked.json()).toMatchObject({ id: secondId, status: 'revoked' });

    const erin = await accept(first.token);
    expect(erin.statusCode, erin.body).toBe(201);
    expect(json<{ user: { is_staff: boolean; is_superuser: boolean } }>(erin).user).toMatchObject({ is_staff: true, is_superuser: false });
    expect(json(await accept(secondToken)).error).toBe('INVITATION_REVOKED');
    const audit = JSON.stringify(await t.services.audit.list({ page: 1, pageSize: 100 }));
    expect(audit).toContain('invitation.revoke');
    expect(audit).not.toContain(first.token);
    expect(audit).not.toContain(secondToken);

    async function accept(token: string) {
      return t!.app.inject({ method: 'POST', url: '/api/v2/auth/invitations/accept', payload: { token, username: 'erin', password: STRONG_PASSWORD } });
    }
  }, 240_000); // a few CLI processes, each loading TypeScript through tsx
});

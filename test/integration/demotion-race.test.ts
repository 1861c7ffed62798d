import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { adminCreateUser, bearer, dialects, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { TEST_PG_URL, urlWithSchema } from '../helpers/postgres.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` holds, polling; fails after `ms`. */
async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// The interleavings are forced with PostgreSQL locks held from a second connection, so this suite is PostgreSQL's.
describe.runIf(dialects().includes('postgres'))("a privileged write racing its actor's demotion (postgres)", () => {
  let t: TestApp;
  let raw: pg.Client | undefined;
  afterEach(async () => {
    await raw?.end().catch(() => undefined);
    raw = undefined;
    await t?.close();
  });

  async function setUp() {
    t = await makeTestApp('postgres');
    const a = await signup(t.app, 'alice');
    const b = await adminCreateUser(t.app, a.token, { username: 'bob', is_superuser: true, is_staff: true });
    raw = new pg.Client({ connectionString: urlWithSchema(t.pgSchema!, TEST_PG_URL) });
    await raw.connect();
    const order: string[] = [];
    const track = <T extends { statusCode: number }>(name: string, p: Promise<T>) =>
      p.then((res) => {
        order.push(`${name} ${res.statusCode}`);
        return res;
      });
    const invite = () => track('invite', t.app.inject({ method: 'POST', url: '/api/v2/admin/invitations', headers: bearer(b.token), payload: {} }));
    const demote = () =>
      track('demote', t.app.inject({ method: 'PATCH', url: `/api/v2/admin/users/${b.user.id}`, headers: bearer(a.token), payload: { is_superuser: false } }));
    const waitingOn = async (relation: string) =>
      Number(
        (
          await raw!.query(
            `select count(*) as n from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace s on s.oid = c.relnamespace where s.nspname = $1 and c.relname = $2 and not l.granted`,
            [t.pgSchema, relation],
          )
        ).rows[0].n,
      ) > 0;
    return { order, invite, demote, waitingOn, bobId: b.user.id };
  }

  it('regression: an invitation passed the guard, the demotion committed, then the invitation committed anyway', async () => {
    const { order, invite, demote, waitingOn } = await setUp();
    // Hold inserts into invitations, so bob's write stalls after his guard let him in.
    await raw!.query('begin');
    await raw!.query('lock table invitations in exclusive mode');
    const inviting = invite();
    await until(() => waitingOn('invitations'), "bob's invitation insert to wait on the table lock");
    const demoting = demote();
    // Give the demotion every chance to commit while bob's write is stalled.
    await Promise.race([demoting, sleep(500)]);
    await raw!.query('commit');
    await Promise.all([inviting, demoting]);
    // Bob's write took the accounts lock before the demotion could, so it committed while he was still a
    // superuser and the demotion came after it; never the demotion first and bob's write after.
    expect(order).toEqual(['invite 201', 'demote 200']);
  });

  it('a demotion committed before the write reaches its transaction refuses the write (403), though the guard had let it in', async () => {
    const { order, invite, demote } = await setUp();
    // Hold the accounts lock, as a writer already inside it would, so the demotion queues first and bob's write after it.
    await raw!.query('begin');
    await raw!.query('select pg_advisory_xact_lock($1)', [0x6772_6170]);
    const demoting = demote();
    await sleep(100);
    const inviting = invite();
    await sleep(100);
    await raw!.query('commit');
    const [inv] = await Promise.all([inviting, demoting]);
    expect(order.sort()).toEqual(['demote 200', 'invite 403']);
    expect(JSON.parse(inv.body)).toMatchObject({ error: 'SUPERUSER_REQUIRED' });
    const count = await t.db.read
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('two superusers deactivating each other in bulk at the same instant: one wins, the other is refused, one superuser stays', async () => {
    const { bobId } = await setUp();
    const tokenOf = async (username: string) =>
      (await t.app.inject({ method: 'POST', url: '/api/v2/auth/token/generate', payload: { username, password: STRONG_PASSWORD } })).json<{ token: string }>()
        .token;
    const [alice, bob] = [await tokenOf('alice'), await tokenOf('bob')];
    const aliceId = (await t.app.inject({ method: 'GET', url: '/api/v2/me', headers: bearer(alice) })).json<{ id: number }>().id;
    // Both pass their guards while the accounts lock is held, then queue for it: without it, each would count the other as the superuser left.
    await raw!.query('begin');
    await raw!.query('select pg_advisory_xact_lock($1)', [0x6772_6170]);
    const bulk = (token: string, id: number) =>
      t.app.inject({ method: 'POST', url: '/api/v2/admin/users/set-active', headers: bearer(token), payload: { ids: [id], is_active: false } });
    const both = Promise.all([bulk(alice, bobId), bulk(bob, aliceId)]);
    await sleep(200);
    await raw!.query('commit');
    const answers = await both;
    // The first in deactivated the other, whose own batch is then refused at its recheck (an inactive account), not half-applied.
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    const active = await t.db.read.selectFrom('users').select('username').where('is_superuser', '=', true).where('is_active', '=', true).execute();
    expect(active).toHaveLength(1);
  });
});

describe.each(dialects())('privileged writes re-check their actor where they commit (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('regression: every privileged write went through for an actor demoted (or deactivated) after their guard let them in', async () => {
    t = await makeTestApp(dialect);
    const a = await signup(t.app, 'alice');
    const b = await adminCreateUser(t.app, a.token, { username: 'bob', is_superuser: true });
    const carol = await adminCreateUser(t.app, a.token, { username: 'carol' });
    const s = t.services;
    // What bob's guard saw at the start of his request.
    const bob = { userId: b.user.id, username: 'bob', ip: '127.0.0.1', requires: 'superuser' as const };
    const alice = { userId: a.user.id, username: 'alice', ip: '127.0.0.1', requires: 'superuser' as const };
    const invitation = await s.invitations.create(alice, {});
    await s.users.update(alice, b.user.id, { is_superuser: false });

    const target = { id: carol.user.id, username: 'carol' };
    const writes: Array<[string, () => Promise<unknown>]> = [
      ['users.create', () => s.users.create(bob, { username: 'mallory', password: 'a long passphrase here' })],
      ['users.update', () => s.users.update(bob, carol.user.id, { is_superuser: true })],
      ['users.setActive', () => s.users.setActive(bob, [carol.user.id], false)],
      ['users.setPassword', () => s.users.setPassword(bob, carol.user.id, 'a long passphrase here')],
      ['users.remove', () => s.users.remove(bob, carol.user.id)],
      ['keys.issue', () => s.keys.issue(bob, target, { name: 'x' })],
      ['keys.revoke', () => s.keys.revoke(bob, target, carol.key.id)],
      ['settings.update', () => s.settings.update(bob, { IS_SIGNUPS_OPEN_AFTER_FIRST: true })],
      ['invitations.create', () => s.invitations.create(bob, { grantStaff: true })],
      ['invitations.revoke', () => s.invitations.revoke(bob, invitation.invitation.id)],
    ];
    for (const [name, write] of writes) await expect(write(), name).rejects.toMatchObject({ code: 'SUPERUSER_REQUIRED' });

    // Deactivated: even self-service writes stop.
    await s.users.update(alice, b.user.id, { is_active: false });
    const self = { ...bob, requires: 'user' as const };
    await expect(s.keys.issue(self, { id: b.user.id, username: 'bob' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // Nothing was written on bob's behalf.
    const audit = await t.db.read.selectFrom('audit_log').select('action').where('actor', '=', 'bob').where('action', '!=', 'auth.login').execute();
    expect(audit).toEqual([]);
    // The command line acts as the machine's owner and is not re-checked.
    await expect(s.keys.issue({ userId: null, username: 'cli:root@host', ip: null }, target, { name: 'ci' })).resolves.toMatchObject({ key: { name: 'ci' } });
  });
});

import { createHash } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, makeTestApp, signup, STRONG_PASSWORD, tempDir, type SignedUp, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';
import { manualClock } from '../../src-server/lib/clock.ts';

/** Issue 19 items 8 and 9: the sign-in throttle counts address groups, in the database every process shares. */

const WRONG = 'wrong password here';

describe.each(dialects())('sign-in throttle shared through the database (%s)', (dialect) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    // The second app on a database first: the first one owns its temp dir and schema.
    while (apps.length) await apps.pop()!.close();
  });

  async function app(opts: Parameters<typeof makeTestApp>[1]): Promise<TestApp> {
    const t = await makeTestApp(dialect, opts);
    apps.push(t);
    return t;
  }
  /** A second server on the first one's database (and .env), as another process would be. */
  const sibling = (first: TestApp, opts: Parameters<typeof makeTestApp>[1]) =>
    app({ ...opts, dataDir: first.dataDir, ...(first.pgSchema ? { pgSchema: first.pgSchema } : {}) });

  const signIn = (t: TestApp, username: string, password: string, forwardedFor: string) =>
    t.app.inject({ method: 'POST', url: '/api-token-auth/', headers: { 'x-forwarded-for': forwardedFor }, payload: { username, password } });

  it('regression: with TRUST_PROXY every IPv6 address of one /64 was a counter of its own, and 10.9.9.9 and ::ffff:10.9.9.9 were two', async () => {
    const t = await app({ config: { trustProxy: 1, throttleAddressFailures: 3, throttleAccountFailures: 1000 } });
    const alice = await signup(t.app, 'alice');
    for (const i of [1, 2, 3]) expect((await signIn(t, `ghost${i}`, WRONG, `2001:db8:5:6::${i}`)).statusCode).toBe(400);
    const blocked = await signIn(t, 'ghost4', WRONG, '2001:db8:5:6:ffff:1:2:3');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Still slowed, not shut: the right password from the same /64 gets in.
    expect((await signIn(t, 'alice', STRONG_PASSWORD, '2001:db8:5:6::77')).statusCode).toBe(200);
    expect((await signIn(t, 'ghost5', WRONG, '2001:db8:5:7::1')).statusCode).toBe(400); // the next /64 is someone else

    for (const address of ['10.9.9.9', '::ffff:10.9.9.9', '::ffff:a09:909']) expect((await signIn(t, `v4${address}`, WRONG, address)).statusCode).toBe(400);
    expect((await signIn(t, 'v4-next', WRONG, '10.9.9.9')).statusCode).toBe(429);

    // Personal-key failures are grouped alike.
    const badKey = { authorization: `PersonalKey ${alice.key.id}:${'x'.repeat(43)}` };
    const keyFrom = (address: string) => t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { ...badKey, 'x-forwarded-for': address } });
    expect([
      (await keyFrom('2001:db8:9::1')).statusCode,
      (await keyFrom('2001:db8:9::2')).statusCode,
      (await keyFrom('2001:db8:9:0:1::3')).statusCode,
      (await keyFrom('2001:db8:9::4')).statusCode,
    ]).toEqual([401, 401, 401, 429]);
    // The audit log keeps each address as it was, not its group.
    const audited = await t.db.read.selectFrom('audit_log').select('client_ip').where('action', '=', 'auth.login').where('outcome', '=', 'failure').execute();
    expect(audited.map((r) => r.client_ip)).toContain('::ffff:10.9.9.9');
  });

  it('regression: a typed name that matches no account (a pasted password) was counted under its plain sha256, recoverable by guessing digests', async () => {
    const t = await app({});
    const pasted = 'Correct-Horse-Battery-Staple-9';
    expect((await signIn(t, pasted, WRONG, '10.1.2.3')).statusCode).toBe(400);
    const keys = (await t.db.read.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    const named = keys.filter((k) => k.startsWith('n:'));
    expect(named).toHaveLength(1);
    const plain = createHash('sha256').update(pasted.toLowerCase(), 'utf8').digest('hex');
    expect(named[0]).not.toContain(plain);
    expect(keys.join(' ')).not.toContain(pasted.toLowerCase());
  });

  it('regression: each process counted failures on its own, so two servers on one database allowed twice the guesses', async () => {
    const clock = manualClock(new Date());
    // As `serve` runs: on SQLite each server writes through its own database thread and connection.
    const opts = { clock, databaseThread: true, config: { trustProxy: 1, throttleAccountFailures: 4, throttleAddressFailures: 6, throttleWindowSeconds: 900 } };
    const a = await app(opts);
    const b = await sibling(a, opts);
    await signup(a.app, 'alice');
    const servers = [a, b];

    // Per account: four wrong passwords, alternating servers and addresses.
    for (let i = 0; i < 4; i++) expect((await signIn(servers[i % 2]!, 'alice', WRONG, `10.0.${i}.1`)).statusCode).toBe(400);
    clock.advance(300_000);
    for (const t of servers) {
      const refused = await signIn(t, 'alice', STRONG_PASSWORD, '10.0.99.1');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('600'); // the window that began with the first failure, on either server
    }

    // Per address: six failures from one address, alternating servers, with names nobody has.
    for (let i = 0; i < 6; i++) expect((await signIn(servers[i % 2]!, `ghost${i}`, WRONG, '192.0.2.7')).statusCode).toBe(400);
    for (const t of servers) expect((await signIn(t, 'ghost-next', WRONG, '192.0.2.7')).statusCode).toBe(429);

    // A success on one server clears the account's counter for both.
    clock.advance(600_000);
    expect((await signIn(a, 'alice', WRONG, '10.0.0.1')).statusCode).toBe(400);
    expect((await signIn(b, 'alice', STRONG_PASSWORD, '10.0.0.1')).statusCode).toBe(200);
    const rows = await a.db.read.selectFrom('login_throttle').select(['key', 'failures']).where('key', 'like', 'u:%').execute();
    expect(rows).toEqual([]);
  });

  it('concurrent guesses spread over two servers cannot slip past the account limit (real argon2id)', async () => {
    const opts = { argon2: true, databaseThread: true, config: { throttleAccountFailures: 3, throttleAddressFailures: 1000 } };
    const a = await app(opts);
    const b = await sibling(a, opts);
    await signup(a.app, 'alice');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn([a, b][i % 2]!, 'alice', `wrong guess ${i}`, `10.2.0.${i + 1}`)));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 400)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });

  it('windows that ended are swept, so the table holds one window of failures at most', async () => {
    const clock = manualClock(new Date());
    const t = await app({ clock, config: { throttleWindowSeconds: 120, throttleAccountFailures: 2 } });
    await signup(t.app, 'alice');
    const count = async () =>
      Number(
        (
          await t.db.read
            .selectFrom('login_throttle')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 0; i < 20; i++) await signIn(t, `ghost${i}`, WRONG, '10.5.0.1');
    await signIn(t, 'alice', WRONG, '10.5.0.1');
    await signIn(t, 'alice', WRONG, '10.5.0.1');
    expect(await count()).toBe(22); // 21 names and accounts, one address
    expect((await signIn(t, 'alice', STRONG_PASSWORD, '10.5.0.2')).statusCode).toBe(429);
    clock.advance(121_000);
    // The next failure sweeps what ended (the minute between sweeps has passed too).
    expect((await signIn(t, 'ghost-late', WRONG, '10.5.0.1')).statusCode).toBe(400);
    expect(await count()).toBe(2);
    expect((await signIn(t, 'alice', STRONG_PASSWORD, '10.5.0.2')).statusCode).toBe(200);
  });
});

const pgOnly = dialects().includes('postgres') ? describe : describe.skip;

pgOnly('sign-in throttle across two `serve` processes on one PostgreSQL database', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function twoServers(env: Record<string, string>): Promise<[ServerProcess, ServerProcess]> {
    const schema = await createSchema();
    cleanups.push(() => dropSchema(schema));
    const dirs = [tempDir(), tempDir()] as const;
    cleanups.push(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    const url = urlWithSchema(schema);
    const a = await startServer(['--data-dir', dirs[0], '--database-url', url], env);
    cleanups.push(() => a.stop());
    copyFileSync(`${dirs[0]}/.env`, `${dirs[1]}/.env`);
    const b = await startServer(['--data-dir', dirs[1], '--database-url', url], env);
    cleanups.push(() => b.stop());
    return [a, b];
  }

  it('failures spread over both processes meet the same per-account and per-address limits as one process', async () => {
    const [a, b] = await twoServers({ TRUST_PROXY: '1', THROTTLE_ACCOUNT_FAILURES: '3', THROTTLE_ADDRESS_FAILURES: '4' });
    const post = async (server: ServerProcess, path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
    };
    const created = await post(a, '/api/v2/auth/signup', { username: 'alice', password: STRONG_PASSWORD });
    expect(created.status).toBe(201);
    const alice = created.body as unknown as SignedUp;
    const signIn = (server: ServerProcess, username: string, password: string, address: string) =>
      post(server, '/api-token-auth/', { username, password }, { 'x-forwarded-for': address });

    // Per account: 3 failures, two on one process and one on the other, from three addresses.
    expect([
      (await signIn(a, 'alice', WRONG, '10.1.0.1')).status,
      (await signIn(b, 'alice', WRONG, '10.1.0.2')).status,
      (await signIn(a, 'alice', WRONG, '10.1.0.3')).status,
    ]).toEqual([400, 400, 400]);
    for (const server of [a, b]) {
      const refused = await signIn(server, 'alice', STRONG_PASSWORD, '10.1.0.9');
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(850);
      expect(refused.body).toMatchObject({ non_field_errors: ['Unable to log in with provided credentials.'] });
    }

    // Per address: 4 failures from one IPv6 /64 (four addresses), alternating processes; the fifth, on either, waits.
    for (let i = 0; i < 4; i++) expect((await signIn([a, b][i % 2]!, `ghost${i}`, WRONG, `2001:db8:77:1::${i + 1}`)).status).toBe(400);
    for (const server of [a, b]) expect((await signIn(server, 'ghost-next', WRONG, '2001:db8:77:1::99')).status).toBe(429);

    // Personal keys: their own per-address counter, shared alike.
    const badKey = { authorization: `PersonalKey ${alice.key.id}:${'x'.repeat(43)}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await post([a, b][i % 2]!, '/api/v2/auth/pkey/jwt/', {}, { ...badKey, 'x-forwarded-for': '::ffff:10.8.0.1' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

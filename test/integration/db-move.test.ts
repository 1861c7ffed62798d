import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { dialects, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';
import { get, post, startServer } from '../helpers/server-process.ts';
import { cli } from '../helpers/backup-kit.ts';
import { PYTHON, pyclientScript, pygraphistryEnv } from '../helpers/pygraphistry.ts';
import { backup } from '../../src-server/backup/backup-service.ts';

/**
 * `db move` from SQLite to PostgreSQL and back, as an operator runs it:
 * accounts made by the command line, a JWT from a server on SQLite, that
 * server stopped, the move, and a real server on the new database where the
 * old key, password and JWT work, for pygraphistry (unmodified, vendored) too.
 */

const run = promisify(execFile);

const both = dialects().includes('sqlite') && dialects().includes('postgres');

describe.runIf(both)('db move (sqlite → postgres → sqlite)', () => {
  let a = '';
  let b = '';
  let schema = '';
  afterAll(async () => {
    for (const d of [a, b]) if (d) rmSync(join(d, '..'), { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  it('moves every account, key and token, leaves the source as it was, and a server on the new database takes the old key', async () => {
    a = join(tempDir(), 'data');
    b = join(tempDir(), 'data');
    expect(cli(['createsuperuser', '--username', 'root', '--password-stdin', '--data-dir', a], `${STRONG_PASSWORD}\n`).code).toBe(0);
    const made = cli(['users', 'create', 'alice', '--password-stdin', '--json', '--data-dir', a], `${STRONG_PASSWORD}\n`);
    expect(made.code, made.err).toBe(0);
    const key = JSON.parse(made.out).key as { id: string; secret: string };
    const first = await startServer(['--data-dir', a]);
    const jwt = String((await post(`${first.url}/api-token-auth/`, { username: 'root', password: STRONG_PASSWORD })).body.token);
    // While a server holds the SQLite data dir the move is refused (its writes would be lost).
    const busy = cli(['db', 'move', '--to', 'sqlite:' + b, '--data-dir', a]);
    expect([busy.code, busy.err]).toEqual([1, expect.stringMatching(/^error SERVER_RUNNING: /)]);
    await first.stop();
    const before = await backup({ dataDir: a }, join(a, '..', 'before.jsonl'));

    schema = await createSchema();
    const url = urlWithSchema(schema);
    const moved = cli(['db', 'move', '--to', url, '--data-dir', a]);
    expect(moved.code, moved.err).toBe(0);
    expect(moved.out).toContain('Now set DATABASE_URL=');
    expect(cli(['db', 'move', '--to', url, '--data-dir', a]).err).toMatch(/^error TARGET_NOT_EMPTY: /);
    expect(cli(['db', 'move', '--to', 'sqlite', '--data-dir', a]).err).toMatch(/^error SAME_DATABASE: /);
    const after = await backup({ dataDir: a }, join(a, '..', 'after.jsonl'));
    // The source as it was: every table the same, and in the audit log only the first backup's own entry, written after its snapshot.
    const { audit_log: logAfter, ...tablesAfter } = after.tables;
    const { audit_log: logBefore, ...tablesBefore } = before.tables;
    expect(tablesAfter).toEqual(tablesBefore);
    expect(logAfter!.rows).toBe(logBefore!.rows + 1);

    const onPg = await startServer(['--data-dir', a, '--database-url', url]);
    try {
      await expectWorking(onPg.url, key, jwt);
      const host = new URL(onPg.url).host;
      const { stdout } = await run(PYTHON, [pyclientScript('register_org.py')], {
        env: pygraphistryEnv({ SERVER: host, ORG: 'alice', KEY_ID: key.id, KEY_SECRET: key.secret }),
        timeout: 120_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true, org_name: 'alice' });
    } finally {
      await onPg.stop();
    }

    const back = cli(['db', 'move', '--to', 'sqlite:' + b, '--data-dir', a, '--database-url', url]);
    expect(back.code, back.err).toBe(0);
    expect(back.out).toContain('Now remove DATABASE_URL');
    const onSqlite = await startServer(['--data-dir', b]);
    try {
      await expectWorking(onSqlite.url, key, jwt);
    } finally {
      await onSqlite.stop();
    }
  }, 300_000);
});

async function expectWorking(base: string, key: { id: string; secret: string }, jwt: string): Promise<void> {
  const exchanged = await post(`${base}/api/v2/auth/pkey/jwt/`, {}, { authorization: `PersonalKey ${key.id}:${key.secret}` });
  expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
  expect((await get(`${base}/api/v2/me`, { authorization: `Bearer ${jwt}` })).body).toMatchObject({ username: 'root' });
  expect((await post(`${base}/api-token-auth/`, { username: 'alice', password: STRONG_PASSWORD })).status).toBe(200);
}

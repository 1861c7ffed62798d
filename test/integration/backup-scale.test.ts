import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dialects, makeTestApp, signup, STRONG_PASSWORD, tempDir, type TestApp } from '../helpers/app.ts';
import { createSchema, dropSchema } from '../helpers/postgres.ts';
import { placeOf, placeOfApp } from '../helpers/backup-kit.ts';
import { backup, restore } from '../../src-server/backup/backup-service.ts';
import { loadOrCreateSecrets } from '../../src-server/secrets.ts';
import { hmacSha256Hex } from '../../src-server/lib/crypto.ts';

/**
 * The dataset: 10,000 users, 20,000 personal keys and 100,000 audit
 * rows, backed up while sign-ins and key exchanges keep coming, restored
 * into a fresh place, and every count and checksum the same; a sample of
 * passwords and keys works there.
 */
const USERS = 10_000;
const secretOf = (i: number) => createHash('sha256').update(`key-${i}`).digest('base64url');
const keyIdOf = (i: number) => `k${String(i).padStart(15, '0')}`;

describe.each(dialects())('backup and restore at scale (%s)', (dialect) => {
  let t: TestApp;
  const cleanup: string[] = [];
  let schema: string | null = null;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    await signup(t.app, 'seed');
    const hash = (await t.db.read.selectFrom('users').select('password_hash').executeTakeFirstOrThrow()).password_hash;
    const pepper = loadOrCreateSecrets(t.dataDir).secrets.keyPepper;
    const bool = (b: boolean) => (dialect === 'postgres' ? b : b ? 1 : 0);
    const at = new Date().toISOString();
    for (let i = 0; i < USERS; i += 500) {
      const users = Array.from({ length: 500 }, (_, j) => {
        const n = `user${String(i + j).padStart(5, '0')}`;
        return {
          username: n,
          username_lower: n,
          username_skeleton: null,
          username_skeleton_cased: null,
          email: `${n}@example.com`,
          email_lower: `${n}@example.com`,
        };
      });
      const ids = await t.db.write
        .insertInto('users')
        .values(
          users.map((u) => ({
            ...u,
            password_hash: hash,
            is_active: bool(true),
            is_staff: bool(false),
            is_superuser: bool(false),
            auth_epoch: 0,
            date_joined: at,
          })),
        )
        .returning('id')
        .execute();
      const keys = ids.flatMap((row, j) =>
        [0, 1].map((k) => {
          const n = 2 * (i + j) + k;
          return {
            id: keyIdOf(n),
            user_id: row.id,
            name: 'k',
            secret_hash: hmacSha256Hex(pepper, `${keyIdOf(n)}:${secretOf(n)}`),
            secret_prefix: secretOf(n).slice(0, 8),
            created_at: at,
          };
        }),
      );
      await t.db.write.insertInto('personal_keys').values(keys).execute();
    }
    for (let i = 0; i < 100_000; i += 1000) {
      const rows = Array.from({ length: 1000 }, (_, j) => ({
        at,
        actor: 'seed',
        action: 'user.update',
        target_type: 'user',
        target_id: String(i + j),
        target: `user${i + j}`,
        outcome: 'success',
        detail: '{"n":1}',
      }));
      await t.db.write.insertInto('audit_log').values(rows).execute();
    }
  }, 600_000);

  afterAll(async () => {
    await t?.close();
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  it('backs up under a load of sign-ins and key exchanges, and restores with every count and checksum the same', async () => {
    const dir = tempDir();
    cleanup.push(dir);
    let running = true;
    const failures: string[] = [];
    const load = (async () => {
      for (let i = 0; running; i++) {
        const res =
          i % 2
            ? await t.app.inject({
                method: 'POST',
                url: '/api-token-auth/',
                payload: { username: `user${String(i % USERS).padStart(5, '0')}`, password: STRONG_PASSWORD },
              })
            : await t.app.inject({ method: 'POST', url: '/api/v2/auth/pkey/jwt/', headers: { authorization: `PersonalKey ${keyIdOf(i)}:${secretOf(i)}` } });
        if (res.statusCode !== 200) failures.push(`${res.statusCode} ${res.body}`);
      }
    })();
    const started = Date.now();
    const made = await backup(placeOfApp(dialect, t), join(dir, 'big.jsonl.gz')).finally(() => (running = false));
    const backupMs = Date.now() - started;
    await load;
    expect(failures).toEqual([]);
    expect(made.tables.users!.rows).toBe(USERS + 1);
    expect(made.tables.personal_keys!.rows).toBeGreaterThanOrEqual(2 * USERS);
    expect(made.tables.audit_log!.rows).toBeGreaterThanOrEqual(100_000);

    schema = dialect === 'postgres' ? await createSchema() : null;
    const into = placeOf(dialect, join(dir, 'restored'), schema);
    const restoredAt = Date.now();
    const restored = await restore(into, join(dir, 'big.jsonl.gz'));
    process.stderr.write(`[${dialect}] backup ${backupMs} ms, restore ${Date.now() - restoredAt} ms\n`);
    expect(restored.tables).toEqual(made.tables);

    const r = await makeTestApp(dialect, { dataDir: into.dataDir, ...(schema ? { pgSchema: schema } : {}) });
    try {
      for (let i = 0; i < 2 * USERS; i += 397) {
        const res = await r.app.inject({
          method: 'POST',
          url: '/api/v2/auth/pkey/jwt/',
          headers: { authorization: `PersonalKey ${keyIdOf(i)}:${secretOf(i)}` },
        });
        expect(res.statusCode, keyIdOf(i)).toBe(200);
      }
      for (let i = 0; i < USERS; i += 997) {
        const res = await r.app.inject({
          method: 'POST',
          url: '/api-token-auth/',
          payload: { username: `user${String(i).padStart(5, '0')}`, password: STRONG_PASSWORD },
        });
        expect(res.statusCode).toBe(200);
      }
    } finally {
      await r.close();
    }
  }, 600_000);
});

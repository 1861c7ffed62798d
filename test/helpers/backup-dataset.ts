// The backup issue's dataset (10,000 users, two personal keys each, 100,000
// audit rows), bulk-inserted into a migrated database: for the scale test
// (test/integration/backup-scale.test.ts) and the `backup` bench section
// (scripts/bench/backup.js). User i is `datasetUsername(i)`; its keys are
// `datasetKey(2i)` and `datasetKey(2i + 1)`, whose secrets anyone can derive.
import { createHash } from 'node:crypto';
import type { Db } from '../../src-server/db/database.ts';
import type { Dialect } from '../../src-server/db/schema.ts';
import { hmacSha256Hex } from '../../src-server/lib/crypto.ts';

export const datasetUsername = (i: number) => `user${String(i).padStart(5, '0')}`;

export function datasetKey(n: number): { id: string; secret: string } {
  return { id: `k${String(n).padStart(15, '0')}`, secret: createHash('sha256').update(`key-${n}`).digest('base64url') };
}

export interface DatasetOptions {
  users: number;
  audit: number;
  /** The data dir's key pepper (the keys are stored as the server stores them). */
  pepper: Buffer;
  /** User i's password hash. */
  passwordHash(i: number): string | Promise<string>;
}

export async function seedBackupDataset(db: Db, dialect: Dialect, o: DatasetOptions): Promise<void> {
  const bool = (b: boolean) => (dialect === 'postgres' ? b : b ? 1 : 0);
  const at = new Date().toISOString();
  for (let i = 0; i < o.users; i += 500) {
    const users = await Promise.all(
      Array.from({ length: Math.min(500, o.users - i) }, async (_, j) => {
        const n = datasetUsername(i + j);
        return {
          username: n,
          username_lower: n,
          username_skeleton: null,
          username_skeleton_cased: null,
          email: `${n}@example.com`,
          email_lower: `${n}@example.com`,
          password_hash: await o.passwordHash(i + j),
          is_active: bool(true),
          is_staff: bool(false),
          is_superuser: bool(false),
          auth_epoch: 0,
          date_joined: at,
        };
      }),
    );
    const ids = await db.write.insertInto('users').values(users).returning('id').execute();
    const keys = ids.flatMap((row, j) =>
      [0, 1].map((k) => {
        const { id, secret } = datasetKey(2 * (i + j) + k);
        return { id, user_id: row.id, name: 'k', secret_hash: hmacSha256Hex(o.pepper, `${id}:${secret}`), secret_prefix: secret.slice(0, 8), created_at: at };
      }),
    );
    await db.write.insertInto('personal_keys').values(keys).execute();
  }
  for (let i = 0; i < o.audit; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, o.audit - i) }, (_, j) => ({
      at,
      actor: 'seed',
      action: 'user.update',
      target_type: 'user',
      target_id: String(i + j),
      target: datasetUsername(i + j),
      outcome: 'success',
      detail: '{"n":1}',
    }));
    await db.write.insertInto('audit_log').values(rows).execute();
  }
}

import { USER_FILTER_OPTIONS, userFilterQuery } from './user-filters.ts';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseInput } from '../lib/validate.ts';
import { isAppError } from '../errors.ts';
import { exportUsersQuery } from '../users/users-schemas.ts';
import type { User } from '../../src-shared/domain.ts';
import type { UserLifecycleAnswer } from '../../src-shared/lifecycle-schemas.ts';
import type { Runtime } from '../runtime.ts';
import { cliActor, need, usage, withRuntime, type CommandSpec, type Values } from './command-kit.ts';

/**
 * `users export|signout|require-password-change|revoke-keys` and `audit
 * export`: offboarding from the command line, through the same services as
 * the admin API (users/lifecycle-service.ts, users/users-export.ts), audited
 * as cli:<user>@<host>.
 */

/** Chunks to --out FILE (created 0600: it lists people) or to standard output, waiting whenever the stream is full. */
async function writeAll(chunks: AsyncIterable<string>, out: string | undefined): Promise<void> {
  const stream: WriteStream | NodeJS.WriteStream = out ? createWriteStream(out, { mode: 0o600 }) : process.stdout;
  if (out) await once(stream, 'open');
  for await (const chunk of chunks) if (chunk && !stream.write(chunk)) await once(stream, 'drain');
  if (out) {
    stream.end();
    await once(stream, 'finish');
  }
}

const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** The list's filters from flags, judged by the API's own schema (so the same words refuse the same values). */
function exportQuery(v: Values) {
  const format = str(v, 'format');
  return parseInput(exportUsersQuery, { ...userFilterQuery(v), ...(format ? { format } : {}) }, 'query');
}

function printAction(out: { print(data: unknown, human?: () => string): void }, a: UserLifecycleAnswer, done: string, already: string) {
  out.print(a, () => (a.changed ? done : already));
}

async function actOn(v: Values, ref: string, fn: (rt: Runtime, user: User) => Promise<void>): Promise<void> {
  return withRuntime(v, async (rt) => fn(rt, await rt.services.users.find(ref)));
}

export const LIFECYCLE_COMMANDS: CommandSpec[] = [
  {
    name: 'users export',
    summary: 'every user the filters match, as CSV (default) or JSON, to standard output or --out FILE',
    details:
      'Columns: id, username, email, is_active, is_staff, is_superuser, date_joined, last_login, sign_in; never a secret. CSV cells a spreadsheet would run as formulas (= + - @) start with an apostrophe. --inactive-days N includes users who never signed in (add --no-never-signed-in to leave them out).',
    options: {
      format: { type: 'string', help: 'csv (default) or json' },
      out: { type: 'string', short: 'o', help: 'write to this file (created with mode 0600) instead of standard output' },
      ...USER_FILTER_OPTIONS,
    },
    run: async ({ values: v, positionals, out }) => {
      if (positionals.length) throw usage('users export takes no arguments');
      const { format = 'csv', ...query } = exportQuery(v);
      return withRuntime(v, async (rt) => {
        const { count, chunks } = await rt.services.usersExport.open(query, format);
        await writeAll(chunks, str(v, 'out'));
        if (str(v, 'out')) out.info(`${count} user(s) exported to ${str(v, 'out')} (${format}).`);
      });
    },
  },
  {
    name: 'users signout',
    args: 'USER',
    summary: 'sign a user out everywhere: their sessions, JWTs and refreshes end on the next request',
    details: 'Their personal keys keep working unless --revoke-keys. USER is a username or an id.',
    options: { 'revoke-keys': { type: 'boolean', help: 'also revoke every one of their personal keys' } },
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USER');
      return actOn(ctx.values, ref!, async (rt, user) => {
        const a = await rt.services.lifecycle.act(cliActor(), user.id, 'sign_out', { revokeKeys: Boolean(ctx.values['revoke-keys']) });
        const keys = ctx.values['revoke-keys'] ? ` and ${a.keys_revoked} key(s) revoked` : '; their personal keys keep working';
        printAction(ctx.out, a, `${user.username} is signed out everywhere${keys}.`, '');
      });
    },
  },
  {
    name: 'users require-password-change',
    args: 'USER',
    summary: 'hold password sign-in until the user chooses a new password',
    details:
      'The token API answers PASSWORD_CHANGE_REQUIRED and the sign-in page sends them to choose one; their personal keys keep working. Their own change clears it.',
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USER');
      return actOn(ctx.values, ref!, async (rt, user) => {
        const a = await rt.services.lifecycle.act(cliActor(), user.id, 'require_password_change');
        printAction(ctx.out, a, `${user.username} must choose a new password at their next sign-in.`, `${user.username} was already asked for a new password.`);
      });
    },
  },
  {
    name: 'users revoke-keys',
    args: 'USER',
    summary: "revoke every one of a user's usable personal keys (tokens made from them end too)",
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USER');
      return actOn(ctx.values, ref!, async (rt, user) => {
        const a = await rt.services.lifecycle.act(cliActor(), user.id, 'revoke_keys');
        printAction(ctx.out, a, `${a.keys_revoked} key(s) of ${user.username} revoked.`, `${user.username} has no usable key.`);
      });
    },
  },
  {
    name: 'audit export',
    summary: 'the audit log as CSV, newest first, to standard output or --out FILE',
    details: '--user keeps the entries about that user (what was done to them); --action and --actor as in audit.',
    options: {
      user: { type: 'string', help: 'only entries about this user (username or id; a deleted user by the name recorded)' },
      action: { type: 'string', help: 'only this action (e.g. user.sign_out)' },
      actor: { type: 'string', help: 'only entries by this actor' },
      out: { type: 'string', short: 'o', help: 'write to this file (created with mode 0600) instead of standard output' },
    },
    run: async ({ values: v, positionals, out }) => {
      if (positionals.length) throw usage('audit export takes no arguments');
      return withRuntime(v, async (rt) => {
        const ref = str(v, 'user');
        // A name no account has now may still be one the log recorded (a deleted or renamed user).
        const user = ref
          ? await rt.services.users.find(ref).catch((e: unknown) => {
              if (isAppError(e) && e.code === 'USER_NOT_FOUND') return null;
              throw e;
            })
          : null;
        const filter = {
          action: str(v, 'action'),
          actor: str(v, 'actor'),
          ...(user ? { targetUserId: user.id } : ref ? { target: ref } : {}),
        };
        await writeAll(rt.services.auditExport.csv(filter), str(v, 'out'));
        if (str(v, 'out')) out.info(`Audit log exported to ${str(v, 'out')}.`);
      });
    },
  },
];

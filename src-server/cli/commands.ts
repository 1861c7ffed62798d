import { AppError } from '../errors.ts';
import { isSettingKey, parseSettingText, SETTING_KEYS } from '../settings/settings-registry.ts';
import { listUsersQuery } from '../users/users-schemas.ts';
import { parseInput } from '../lib/validate.ts';
import { table, type Out } from './output.ts';
import { promptHidden, readStdinLine } from './prompt.ts';
import { cliActor, need, overridesOf, usage, withRuntime, type CommandSpec, type OptionSpec, type Values } from './command-kit.ts';
import { ORG_COMMANDS } from './org-commands.ts';
import { SSO_COMMANDS } from './sso-commands.ts';
import { IMPORT_COMMANDS } from './import-commands.ts';
import { LIFECYCLE_COMMANDS } from './lifecycle-commands.ts';
import { USER_FILTER_OPTIONS, userFilterQuery } from './user-filters.ts';
import { BACKUP_COMMANDS } from './backup-commands.ts';

async function passwordFrom(v: Values, question = 'Password: '): Promise<string> {
  if (typeof v.password === 'string') return v.password;
  if (v['password-stdin']) return readStdinLine();
  if (process.env.GRAPHISTRY_ADMIN_PASSWORD) return process.env.GRAPHISTRY_ADMIN_PASSWORD;
  const first = await promptHidden(question);
  const again = await promptHidden('Password (again): ');
  if (first !== again) throw new AppError('VALIDATION', 'The two passwords do not match.');
  return first;
}

const passwordOptions: Record<string, OptionSpec> = {
  password: { type: 'string', help: 'the password (visible to other local users: prefer the two below)' },
  'password-stdin': { type: 'boolean', help: 'read the password from the first line of standard input' },
};

function printKey(out: Out, key: { id: string; secret: string; authorization: string; key: { name: string; expires_at: string | null } }) {
  out.print({ ...key.key, secret: key.secret, authorization: key.authorization }, () =>
    [
      `key id:     ${key.id}`,
      `secret:     ${key.secret}`,
      `header:     Authorization: ${key.authorization}`,
      `name:       ${key.key.name}`,
      `expires:    ${key.key.expires_at ?? 'never'}`,
      '',
      'The secret is shown this once: store it now.',
    ].join('\n'),
  );
}

const userColumns = ['id', 'username', 'email', 'is_active', 'is_staff', 'is_superuser', 'date_joined', 'last_login'];

export const COMMANDS: CommandSpec[] = [
  {
    name: 'serve',
    summary: 'run the account server',
    details: 'Listens on 127.0.0.1:8000 by default. --port 0 picks a free port and prints the URL.',
    options: {
      host: { type: 'string', help: 'address to listen on (default 127.0.0.1)' },
      port: { type: 'string', short: 'p', help: 'port (default 8000; 0 picks a free one)' },
      'setup-token': { type: 'string', help: 'require this token on the first sign-up (exposed hosts); or $SETUP_TOKEN' },
      'log-level': { type: 'string', help: 'fatal|error|warn|info|debug|trace|silent (default info)' },
      gate: { type: 'string', multiple: true, help: 'name=/prefix/=http://host:port: staff-only proxy to a service (repeatable; or $GATES)' },
    },
    run: async ({ values: v, out }) =>
      (await import('./serve.ts')).serve(
        {
          ...overridesOf(v),
          ...(v.host ? { host: v.host } : {}),
          ...(v.port !== undefined ? { port: v.port } : {}),
          ...(v['setup-token'] ? { setupToken: v['setup-token'] } : {}),
          ...(v['log-level'] ? { logLevel: v['log-level'] } : {}),
          ...(Array.isArray(v.gate) ? { gates: v.gate } : {}),
        },
        out,
      ),
  },
  {
    name: 'createsuperuser',
    summary: 'create a superuser + staff account (no open sign-up window needed)',
    options: { username: { type: 'string', help: 'the username (required)' }, email: { type: 'string', help: 'optional email' }, ...passwordOptions },
    run: async ({ values: v, out }) => {
      if (typeof v.username !== 'string') throw usage('--username is required');
      const password = await passwordFrom(v);
      return withRuntime(v, async (rt) => {
        const { user, key } = await rt.services.users.create(cliActor(), {
          username: v.username as string,
          password,
          email: (v.email as string) || null,
          is_staff: true,
          is_superuser: true,
        });
        out.print(
          { user, key: { ...key.key, secret: key.secret, authorization: key.authorization } },
          () =>
            `Superuser "${user.username}" created (id ${user.id}).\n` + `Personal key ${key.id}:${key.secret}\nThe secret is shown this once: store it now.`,
        );
      });
    },
  },
  {
    name: 'users list',
    summary: 'list users',
    options: {
      ...USER_FILTER_OPTIONS,
      page: { type: 'string', help: 'page number (default 1)' },
      'page-size': { type: 'string', help: 'rows per page (default 25, at most 500)' },
    },
    run: async ({ values: v, out }) => {
      const paging = Object.fromEntries(
        Object.entries({ page: v.page, page_size: v['page-size'] }).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      const q = parseInput(listUsersQuery, { ...userFilterQuery(v), ...paging }, 'query');
      return withRuntime(v, async (rt) => {
        const page = await rt.services.users.list(q);
        out.print(
          page,
          () =>
            `${table(page.results as unknown as Array<Record<string, unknown>>, userColumns)}\n\n${page.count} user(s); page ${page.page} of ${Math.max(1, Math.ceil(page.count / page.page_size))}`,
        );
      });
    },
  },
  {
    name: 'users create',
    args: 'USERNAME',
    summary: 'create a user (prints their first personal key once)',
    options: {
      email: { type: 'string', help: 'optional email' },
      staff: { type: 'boolean', help: 'make staff' },
      superuser: { type: 'boolean', help: 'make superuser' },
      ...passwordOptions,
    },
    run: async (ctx) => {
      const [username] = need(ctx, 1, 'USERNAME');
      const v = ctx.values;
      const password = await passwordFrom(v);
      return withRuntime(v, async (rt) => {
        const { user, key } = await rt.services.users.create(cliActor(), {
          username: username!,
          password,
          email: (v.email as string) || null,
          is_staff: Boolean(v.staff),
          is_superuser: Boolean(v.superuser),
        });
        ctx.out.print(
          { user, key: { ...key.key, secret: key.secret, authorization: key.authorization } },
          () => `User "${user.username}" created (id ${user.id}).\nPersonal key ${key.id}:${key.secret}\nThe secret is shown this once: store it now.`,
        );
      });
    },
  },
  {
    name: 'users set-password',
    args: 'USERNAME',
    summary: "set a user's password (ends their tokens)",
    options: passwordOptions,
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USERNAME');
      const password = await passwordFrom(ctx.values, 'New password: ');
      return withRuntime(ctx.values, async (rt) => {
        const user = await rt.services.users.find(ref!);
        const updated = await rt.services.users.setPassword(cliActor(), user.id, password);
        ctx.out.print(updated, () => `Password set for "${updated.username}"; their existing tokens no longer work.`);
      });
    },
  },
  {
    name: 'users set-roles',
    args: 'USERNAME',
    summary: 'grant or remove staff, superuser, active (--staff / --no-staff, ...)',
    options: {
      staff: { type: 'boolean', help: '--staff or --no-staff' },
      superuser: { type: 'boolean', help: '--superuser or --no-superuser' },
      active: { type: 'boolean', help: '--active or --no-active' },
    },
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USERNAME');
      const v = ctx.values;
      const patch = Object.fromEntries(
        Object.entries({ is_staff: v.staff, is_superuser: v.superuser, is_active: v.active }).filter(([, x]) => x !== undefined),
      ) as Record<string, boolean>;
      if (Object.keys(patch).length === 0) throw usage('give at least one of --[no-]staff, --[no-]superuser, --[no-]active');
      return withRuntime(v, async (rt) => {
        const user = await rt.services.users.find(ref!);
        const updated = await rt.services.users.update(cliActor(), user.id, patch);
        ctx.out.print(updated, () => table([updated as unknown as Record<string, unknown>], userColumns));
      });
    },
  },
  {
    name: 'users deactivate',
    args: 'USERNAME',
    summary: 'deactivate a user: their tokens and keys stop working at once',
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USERNAME');
      return withRuntime(ctx.values, async (rt) => {
        const user = await rt.services.users.find(ref!);
        const updated = await rt.services.users.update(cliActor(), user.id, { is_active: false });
        ctx.out.print(updated, () => `User "${updated.username}" deactivated.`);
      });
    },
  },
  {
    name: 'keys list',
    args: 'USERNAME',
    summary: "list a user's personal keys",
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USERNAME');
      return withRuntime(ctx.values, async (rt) => {
        const user = await rt.services.users.find(ref!);
        const keys = await rt.services.keys.list(user.id);
        ctx.out.print({ results: keys }, () =>
          table(keys as unknown as Array<Record<string, unknown>>, [
            'id',
            'name',
            'prefix',
            'created_at',
            'last_used_at',
            'expires_at',
            'revoked_at',
            'is_active',
          ]),
        );
      });
    },
  },
  {
    name: 'keys create',
    args: 'USERNAME',
    summary: 'create a personal key for a user (the secret is printed once)',
    options: {
      name: { type: 'string', help: 'a name for the key (default "cli")' },
      'expires-in-days': { type: 'string', help: 'expire after this many days (default never)' },
    },
    run: async (ctx) => {
      const [ref] = need(ctx, 1, 'USERNAME');
      const v = ctx.values;
      const days = v['expires-in-days'] === undefined ? undefined : Number(v['expires-in-days']);
      if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650)) throw usage('--expires-in-days takes a whole number from 1 to 3650');
      const name = typeof v.name === 'string' ? v.name.trim() : 'cli';
      if (!name || name.length > 100 || /\p{Cc}/u.test(name)) throw usage('--name must be 1 to 100 printable characters');
      return withRuntime(v, async (rt) => {
        const user = await rt.services.users.find(ref!);
        const key = await rt.services.keys.issue(cliActor(), user, { name, expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null });
        printKey(ctx.out, key);
      });
    },
  },
  {
    name: 'keys revoke',
    args: 'USERNAME KEY_ID',
    summary: 'revoke a personal key',
    run: async (ctx) => {
      const [ref, keyId] = need(ctx, 2, 'USERNAME KEY_ID');
      return withRuntime(ctx.values, async (rt) => {
        const user = await rt.services.users.find(ref!);
        const key = await rt.services.keys.revoke(cliActor(), user, keyId!);
        ctx.out.print(key, () => `Key ${key.id} of "${user.username}" revoked.`);
      });
    },
  },
  {
    name: 'invites create',
    summary: 'create a single-use invitation link (shown once)',
    details: 'The invited person opens the link and chooses a username and password, even while sign-up is closed.',
    options: {
      staff: { type: 'boolean', help: 'the new account is staff' },
      'expires-in-hours': { type: 'string', help: 'hours until the link expires (default 72, at most 720)' },
      note: { type: 'string', help: 'a note for admins (who it is for)' },
      'base-url': { type: 'string', help: 'print the full link on this server, e.g. https://graphistry.example.com (default: the PUBLIC_URL setting)' },
    },
    run: async ({ values: v, out }) => {
      const hours = v['expires-in-hours'] === undefined ? undefined : Number(v['expires-in-hours']);
      if (hours !== undefined && !(Number.isInteger(hours) && hours >= 1 && hours <= 720)) throw usage('--expires-in-hours takes a whole number from 1 to 720');
      const given = typeof v['base-url'] === 'string' ? v['base-url'].replace(/\/+$/, '') : undefined;
      if (given !== undefined && !/^https?:\/\/[^\s/]+/i.test(given)) throw usage('--base-url must start with http:// or https://');
      return withRuntime(v, async (rt) => {
        const base = given ?? ((await rt.services.settings.values()).PUBLIC_URL || undefined);
        const { invitation, token, path } = await rt.services.invitations.create(cliActor(), {
          expiresInHours: hours,
          grantStaff: Boolean(v.staff),
          note: typeof v.note === 'string' ? v.note : null,
        });
        const link = base ? base + path : path;
        out.print({ ...invitation, token, path, ...(base ? { url: link } : {}) }, () =>
          [
            `Invitation ${invitation.id} created (staff: ${invitation.grant_staff ? 'yes' : 'no'}, expires ${invitation.expires_at}).`,
            link,
            '',
            `The link is shown this once: send it to the person now.${base ? '' : ' Put the server address in front (or use --base-url, or set PUBLIC_URL with config set).'}`,
          ].join('\n'),
        );
      });
    },
  },
  {
    name: 'invites list',
    summary: 'list pending invitations (--all: also used, expired and revoked)',
    options: { all: { type: 'boolean', help: 'include used, expired and revoked invitations' } },
    run: async ({ values: v, out }) =>
      withRuntime(v, async (rt) => {
        const rows = await rt.services.invitations.list({ status: v.all ? 'all' : 'pending' });
        out.print({ results: rows }, () =>
          table(rows as unknown as Array<Record<string, unknown>>, [
            'id',
            'status',
            'grant_staff',
            'note',
            'created_by',
            'created_at',
            'expires_at',
            'used_by',
          ]),
        );
      }),
  },
  {
    name: 'invites revoke',
    args: 'ID',
    summary: 'revoke an invitation link',
    run: async (ctx) => {
      const [id] = need(ctx, 1, 'ID');
      return withRuntime(ctx.values, async (rt) => {
        const invitation = await rt.services.invitations.revoke(cliActor(), id!);
        ctx.out.print(invitation, () => `Invitation ${invitation.id} revoked.`);
      });
    },
  },
  ...LIFECYCLE_COMMANDS,
  ...ORG_COMMANDS,
  ...SSO_COMMANDS,
  ...BACKUP_COMMANDS,
  ...IMPORT_COMMANDS,
  {
    name: 'config list',
    summary: 'list runtime settings',
    run: async (ctx) =>
      withRuntime(ctx.values, async (rt) => {
        const rows = await rt.services.settings.describe();
        ctx.out.print({ results: rows }, () =>
          table(rows as unknown as Array<Record<string, unknown>>, ['key', 'value', 'default', 'updated_at', 'updated_by', 'description']),
        );
      }),
  },
  {
    name: 'config get',
    args: 'KEY',
    summary: 'print one runtime setting',
    run: async (ctx) => {
      const [key] = need(ctx, 1, 'KEY');
      if (!isSettingKey(key!)) throw new AppError('UNKNOWN_SETTING', `Unknown setting "${key}". Known settings: ${SETTING_KEYS.join(', ')}.`);
      return withRuntime(ctx.values, async (rt) => {
        const values = await rt.services.settings.values();
        ctx.out.print({ key, value: values[key] }, () => String(values[key]));
      });
    },
  },
  {
    name: 'config set',
    args: 'KEY VALUE',
    summary: 'change a runtime setting (applies on the next request, audited)',
    details: `Settings: ${SETTING_KEYS.join(', ')}. Values: true/false (also on/off, yes/no, 1/0); PUBLIC_URL takes an address ("" to unset).`,
    run: async (ctx) => {
      const [key, text] = need(ctx, 2, 'KEY VALUE');
      if (!isSettingKey(key!)) throw new AppError('UNKNOWN_SETTING', `Unknown setting "${key}". Known settings: ${SETTING_KEYS.join(', ')}.`);
      let value: unknown;
      try {
        value = parseSettingText(key, text!);
      } catch (e) {
        throw new AppError('VALIDATION', (e as Error).message);
      }
      return withRuntime(ctx.values, async (rt) => {
        await rt.services.settings.update(cliActor(), { [key]: value });
        ctx.out.print({ key, value }, () => `${key} = ${String(value)}`);
      });
    },
  },
  {
    name: 'audit',
    summary: 'show the audit log, newest first',
    options: {
      page: { type: 'string', help: 'page (default 1)' },
      'page-size': { type: 'string', help: 'rows per page (default 50)' },
      action: { type: 'string', help: 'only this action (e.g. auth.login)' },
    },
    run: async (ctx) => {
      const v = ctx.values;
      const page = Number(v.page ?? 1);
      const pageSize = Number(v['page-size'] ?? 50);
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500)
        throw usage('--page must be 1 or more and --page-size 1 to 500');
      return withRuntime(v, async (rt) => {
        const { count, results } = await rt.services.audit.list({ page, pageSize, action: typeof v.action === 'string' ? v.action : undefined });
        ctx.out.print(
          { count, page, page_size: pageSize, results },
          () =>
            `${table(results.map((r) => ({ ...r, detail: r.detail ? JSON.stringify(r.detail) : null })) as unknown as Array<Record<string, unknown>>, ['at', 'actor', 'action', 'target', 'outcome', 'client_ip', 'detail'])}\n\n${count} event(s)`,
        );
      });
    },
  },
];

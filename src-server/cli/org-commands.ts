import type { Runtime } from '../runtime.ts';
import { parseInput } from '../lib/validate.ts';
import { listOrgsQuery } from '../orgs/orgs-schemas.ts';
import type { JoinPolicy, Organization, OrgMember } from '../../src-shared/org-schemas.ts';
import { table, type Out } from './output.ts';
import { promptLine } from './prompt.ts';
import { cliActor, need, usage, withRuntime, type CommandSpec } from './command-kit.ts';

/**
 * `orgs …`: organizations from the command line, acting as the command line
 * does everywhere (cliActor: every organization, audited as cli:<user>@<host>).
 * The services decide and refuse (SLUG_TAKEN, LAST_ORG_ADMIN, ORG_NOT_FOUND…);
 * these commands only name people by username and print the answers.
 */

const orgColumns = ['slug', 'name', 'join_policy', 'member_count', 'admin_count', 'created_at', 'created_by'];
const memberColumns = ['username', 'role', 'is_active', 'email', 'joined_at', 'invited_by_username'];

const POLICY = { invite_only: 'single sign-on users need an invitation', self_join: 'single sign-on users may join by themselves' } as const;

/** Every member, read a page at a time. */
async function allMembers(rt: Runtime, slug: string): Promise<OrgMember[]> {
  const members: OrgMember[] = [];
  for (let page = 1; ; page++) {
    const p = await rt.services.orgMembers.list(cliActor(), slug, { page, page_size: 500 });
    members.push(...p.results);
    if (members.length >= p.count || p.results.length === 0) return members;
  }
}

function describeOrg(org: Organization): string {
  return [
    `organization: ${org.slug}`,
    `name:         ${org.name}`,
    `join policy:  ${org.join_policy} (${POLICY[org.join_policy]})`,
    `created:      ${org.created_at}${org.created_by ? ` by ${org.created_by}` : ''}`,
    `members:      ${org.member_count} (${org.admin_count} active admin${org.admin_count === 1 ? '' : 's'}${org.admin_count === 0 ? ': only superusers and the command line manage it' : ''})`,
  ].join('\n');
}

function printOrg(out: Out, org: Organization, lead: string): void {
  out.print(org, () => `${lead}\n${describeOrg(org)}`);
}

export const ORG_COMMANDS: CommandSpec[] = [
  {
    name: 'orgs list',
    summary: 'list organizations with their member and admin counts',
    options: {
      search: { type: 'string', help: 'id or name contains' },
      ordering: { type: 'string', help: 'slug, name, created_at or member_count; - in front for descending (default slug)' },
      page: { type: 'string', help: 'page number (default 1)' },
      'page-size': { type: 'string', help: 'rows per page (default 25, at most 500)' },
    },
    run: async ({ values: v, positionals, out }) => {
      if (positionals.length) throw usage('orgs list takes no arguments');
      const q = parseInput(
        listOrgsQuery,
        Object.fromEntries(
          Object.entries({ search: v.search, ordering: v.ordering, page: v.page, page_size: v['page-size'] }).filter(([, x]) => x !== undefined),
        ),
        'query',
      );
      return withRuntime(v, async (rt) => {
        const page = await rt.services.orgs.list(null, q);
        out.print(
          page,
          () =>
            `${table(page.results as unknown as Array<Record<string, unknown>>, orgColumns)}\n\n${page.count} organization(s); page ${page.page} of ${Math.max(1, Math.ceil(page.count / page.page_size))}`,
        );
      });
    },
  },
  {
    name: 'orgs create',
    args: 'SLUG',
    summary: 'create an organization (SLUG: its id, lower-case letters, digits, - and _; never a username)',
    details: 'Without --admin it has no admin: superusers (and this command line) manage it until one is added with orgs add-member --admin.',
    options: {
      name: { type: 'string', help: 'a display name (default: the SLUG)' },
      admin: { type: 'string', help: 'USERNAME of its first admin' },
      'join-policy': { type: 'string', help: 'invite_only (default) or self_join: whether single sign-on users may join by themselves' },
    },
    run: async (ctx) => {
      const [slug] = need(ctx, 1, 'SLUG');
      const v = ctx.values;
      return withRuntime(v, async (rt) => {
        const admin = typeof v.admin === 'string' ? await rt.services.users.find(v.admin) : null;
        const org = await rt.services.orgs.create(
          cliActor(),
          {
            slug: slug!,
            ...(typeof v.name === 'string' ? { name: v.name } : {}),
            ...(typeof v['join-policy'] === 'string' ? { join_policy: v['join-policy'] as JoinPolicy /* checked by the service */ } : {}),
            ...(admin ? { admin_user_id: Number(admin.id) } : {}),
          },
          { admin: null },
        );
        printOrg(ctx.out, org, `Organization “${org.slug}” created${admin ? ` with ${admin.username} as its admin` : ' with no admin yet'}.`);
      });
    },
  },
  {
    name: 'orgs show',
    args: 'SLUG',
    summary: "an organization's settings and its members with their roles",
    run: async (ctx) => {
      const [slug] = need(ctx, 1, 'SLUG');
      return withRuntime(ctx.values, async (rt) => {
        const org = await rt.services.orgs.get(cliActor(), slug!);
        const members = await allMembers(rt, org.slug);
        ctx.out.print({ ...org, members }, () => `${describeOrg(org)}\n\n${table(members as unknown as Array<Record<string, unknown>>, memberColumns)}`);
      });
    },
  },
  {
    name: 'orgs add-member',
    args: 'SLUG USERNAME',
    summary: 'put an existing user in an organization (as a member, or --admin)',
    options: { admin: { type: 'boolean', help: 'as an admin of the organization' } },
    run: async (ctx) => {
      const [slug, username] = need(ctx, 2, 'SLUG USERNAME');
      return withRuntime(ctx.values, async (rt) => {
        const user = await rt.services.users.find(username!);
        const member = await rt.services.orgMembers.add(cliActor(), slug!, Number(user.id), ctx.values.admin ? 'admin' : 'member');
        ctx.out.print(
          { organization: slug!.toLowerCase(), ...member },
          () => `${member.username} is now ${member.role === 'admin' ? 'an admin' : 'a member'} of “${slug!.toLowerCase()}”.`,
        );
      });
    },
  },
  {
    name: 'orgs remove-member',
    args: 'SLUG USERNAME',
    summary: 'take a user out of an organization (never its last active admin)',
    run: async (ctx) => {
      const [slug, username] = need(ctx, 2, 'SLUG USERNAME');
      return withRuntime(ctx.values, async (rt) => {
        const user = await rt.services.users.find(username!);
        await rt.services.orgMembers.remove(cliActor(), slug!, Number(user.id));
        ctx.out.print(
          { organization: slug!.toLowerCase(), user_id: Number(user.id), username: user.username, removed: true },
          () => `${user.username} removed from “${slug!.toLowerCase()}”.`,
        );
      });
    },
  },
  {
    name: 'orgs invite',
    args: 'SLUG',
    summary: 'make a single-use invitation link into an organization (shown once)',
    details:
      'Someone signed in who opens the link is asked to join; someone without an account makes one with it (even while sign-up is closed) and joins at once.',
    options: {
      admin: { type: 'boolean', help: 'they join as an admin of the organization (default: a member)' },
      'expires-in-hours': { type: 'string', help: 'hours until the link expires (default 72, at most 720)' },
      note: { type: 'string', help: 'a note for its admins (who it is for)' },
    },
    run: async (ctx) => {
      const [slug] = need(ctx, 1, 'SLUG');
      const v = ctx.values;
      const hours = v['expires-in-hours'] === undefined ? undefined : Number(v['expires-in-hours']);
      if (hours !== undefined && !(Number.isInteger(hours) && hours >= 1 && hours <= 720)) throw usage('--expires-in-hours takes a whole number from 1 to 720');
      return withRuntime(v, async (rt) => {
        const { invitation, token, path } = await rt.services.orgInvitations.create(cliActor(), slug!, {
          role: v.admin ? 'admin' : 'member',
          ...(hours !== undefined ? { expires_in_hours: hours } : {}),
          ...(typeof v.note === 'string' ? { note: v.note } : {}),
        });
        const base = (await rt.services.settings.values()).PUBLIC_URL || null;
        const url = base ? base + path : null;
        const org = slug!.toLowerCase();
        ctx.out.print({ organization: org, ...invitation, token, path, url }, () =>
          [
            `Invitation ${invitation.id} into “${org}” created (as ${invitation.role === 'admin' ? 'an admin' : 'a member'}, expires ${invitation.expires_at}).`,
            url ?? path,
            '',
            `The link is shown this once: send it to the person now.${url ? '' : ' Put the server address in front (or set PUBLIC_URL with config set).'}`,
          ].join('\n'),
        );
      });
    },
  },
  {
    name: 'orgs delete',
    args: 'SLUG',
    summary: 'delete an organization with its memberships (asks first; --yes to skip)',
    details:
      'On a terminal it asks you to type the SLUG; elsewhere (scripts, pipes) it refuses unless --yes is given. Tokens acting in it fall back to their personal organization.',
    options: { yes: { type: 'boolean', short: 'y', help: 'delete without asking' } },
    run: async (ctx) => {
      const [slug] = need(ctx, 1, 'SLUG');
      return withRuntime(ctx.values, async (rt) => {
        const org = await rt.services.orgs.get(cliActor(), slug!);
        const what = `“${org.slug}” (${org.name}) and its ${org.member_count} membership${org.member_count === 1 ? '' : 's'}`;
        if (!ctx.values.yes) {
          if (!process.stdin.isTTY) throw usage(`orgs delete: no terminal to confirm on; run it again with --yes to delete ${what}`);
          const answer = await promptLine(`Delete ${what}? Type ${org.slug} to confirm: `);
          if (answer.trim().toLowerCase() !== org.slug) {
            ctx.out.info('Not deleted.');
            return 1;
          }
        }
        await rt.services.orgs.remove(cliActor(), org.slug);
        ctx.out.print({ slug: org.slug, deleted: true, members: org.member_count }, () => `Organization ${what} deleted.`);
      });
    },
  },
];

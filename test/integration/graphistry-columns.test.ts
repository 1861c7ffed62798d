// Every column of the Users manager, from admins whose change list omits some:
// Django's stock UserAdmin (username, email, first and last name, staff) over
// 10,000 users, and cookiecutter-django's (no email either, and a search box
// that searches only `name`). A page costs a bounded number of requests and
// shows only the server's true values (compared with its database through
// `manage.py shell`); a column the list does not show is named `unlisted`,
// null in every row, never guessed, and getUsers reads those rows whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteGraphistryBackend, type RemoteBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { UnlistedUserField, User, UserRow } from '../../src-shared/domain.ts';
import { djangoMissing, PEER_ADMIN, seedPeerUsers, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const missing = await djangoMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the column tests of the remote Graphistry backend.\n\n`);

/** Requests one call costs, as the backend counts them. */
async function costOf<T>(backend: RemoteBackend, call: () => Promise<T>): Promise<{ value: T; requests: number }> {
  const before = backend.requestCount();
  const value = await call();
  return { value, requests: backend.requestCount() - before };
}

type Truth = Omit<User, 'id'>;

/** The users the peer's database holds, by id (dates UTC, cut to the second, which is all Django's admin ever shows). */
async function database(peer: DjangoPeer, ids: number[]): Promise<Map<number, Truth>> {
  const out = await peer.shell(
    [
      'import json',
      'from datetime import timezone',
      'from users.models import User',
      "iso = lambda d: d and d.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000Z')",
      `print(json.dumps({u.id: dict(username=u.username, email=u.email or None, is_active=u.is_active, is_staff=u.is_staff, is_superuser=u.is_superuser, date_joined=iso(u.date_joined), last_login=iso(u.last_login)) for u in User.objects.filter(id__in=${JSON.stringify(ids)})}))`,
    ].join('\n'),
  );
  return new Map(Object.entries(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, Truth>).map(([id, u]) => [Number(id), u]));
}

/** Each row equals the database, its unlisted fields null (not read, never a default). */
function expectRowsTrue(rows: UserRow[], db: Map<number, Truth>, unlisted: readonly UnlistedUserField[]) {
  for (const row of rows) {
    const truth = { id: row.id, ...db.get(row.id)! } as UserRow;
    for (const f of unlisted) truth[f] = null;
    expect(row).toEqual(truth);
  }
}

for (const [listDisplay, users] of [
  ['django', 10_000],
  ['cookiecutter', 300],
] as const) {
  (missing ? describe.skip : describe)(`remote Users list with the ${listDisplay} user admin (${users.toLocaleString('en-US')} users)`, () => {
    let peer: DjangoPeer;
    let admin: RemoteBackend;
    const unlisted: UnlistedUserField[] = listDisplay === 'django' ? ['date_joined', 'last_login'] : ['email', 'date_joined', 'last_login'];
    beforeAll(async () => {
      peer = await startDjangoPeer({ listDisplay });
      await seedPeerUsers(peer, users);
      admin = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
        type: 'admin_password',
        username: PEER_ADMIN.username,
        password: async () => PEER_ADMIN.password,
      }) as RemoteBackend;
      await admin.capabilities();
    }, 120_000);
    afterAll(async () => peer?.stop());

    it('declares as sortable only the columns the admin lists', async () => {
      expect((await admin.capabilities()).sortable).toEqual(listDisplay === 'django' ? ['username', 'email', 'is_staff'] : ['username', 'is_superuser']);
    });

    it('shows a 50-row page in at most 10 requests, every value the database’s, the columns it does not list named and null', async () => {
      const { value, requests } = await costOf(admin, () => admin.listUsers({ page: 3, page_size: 50, ordering: 'username' }));
      expect(value.results).toHaveLength(50);
      expect(value.unlisted).toEqual(unlisted);
      // The page, and one filtered change list for each flag the admin does not list (superuser and active; staff and active).
      expect(requests).toBe(1 + 2);
      expect(requests).toBeLessThanOrEqual(10);
      expectRowsTrue(
        value.results,
        await database(
          peer,
          value.results.map((u) => u.id),
        ),
        unlisted,
      );
      // Some of every flag on these pages, so a flag read wrongly shows.
      expect(new Set(value.results.map((u) => u.is_active))).toEqual(new Set([true, false]));
    });

    it('shows a 200-row page in a number of requests that does not grow with the page', async () => {
      const { value, requests } = await costOf(admin, () => admin.listUsers({ page: users > 400 ? 2 : 1, page_size: 200, ordering: '-username' }));
      expect(value.results).toHaveLength(200);
      // Two change-list pages of Django's 100, one filter per flag it does not list.
      expect(requests).toBe(2 + 2);
      expectRowsTrue(
        value.results,
        await database(
          peer,
          value.results.map((u) => u.id),
        ),
        unlisted,
      );
    });

    it('reads the rows the page left unlisted whole, each from its change form, to the second', async () => {
      const page = await admin.listUsers({ page: users > 400 ? 7 : 3, page_size: 50, ordering: 'username' });
      const ids = page.results.map((u) => u.id);
      const { value, requests } = await costOf(admin, () => admin.getUsers(ids));
      expect(value.failed).toEqual([]);
      expect(value.users.map((u) => u.id)).toEqual(ids);
      // A change form per row (its flags and dates are on it), and the admin's date formats once a session.
      expect(requests).toBeGreaterThanOrEqual(50);
      expect(requests).toBeLessThanOrEqual(50 + 1 + 2);
      const db = await database(peer, ids);
      for (const u of value.users) expect(u).toEqual({ id: u.id, ...db.get(u.id)! });
      expect(value.users.filter((u) => u.last_login !== null).length).toBeGreaterThan(10);
      // What the list showed and what the forms say agree on everything the list did show.
      for (const [i, row] of page.results.entries())
        for (const [k, v] of Object.entries(row)) if (v !== null) expect(value.users[i]![k as keyof User]).toEqual(v);
    });

    it('names a user gone since the page was read, and still reads the rest', async () => {
      const page = await admin.listUsers({ page: 9, page_size: 3, ordering: 'username' });
      await peer.shell(`from users.models import User\nUser.objects.filter(id=${page.results[1]!.id}).delete()`);
      const read = await admin.getUsers(page.results.map((u) => u.id));
      expect(read.users.map((u) => u.id)).toEqual([page.results[0]!.id, page.results[2]!.id]);
      expect(read.failed).toEqual([{ id: page.results[1]!.id, code: 'USER_NOT_FOUND', message: `No user with id ${page.results[1]!.id}.` }]);
    });

    it('searches by username even where the admin’s own search box does not', async () => {
      const found = await admin.listUsers({ search: 'u00004', page_size: 50, ordering: 'username' });
      expect(found.results.map((u) => u.username)).toEqual(Array.from({ length: 10 }, (_, i) => `u00004${i}`));
    });

    it('walks Django’s pages of 100 for the ids of every match, one page a request, and stops at the limit', async () => {
      const orm = await peer.shell(
        "from users.models import User\nprint(list(User.objects.filter(is_active=True, username__icontains='u000').order_by('-username').values_list('id', flat=True)))",
      );
      const expected = JSON.parse(orm.trim().split('\n').at(-1)!) as number[];
      expect(expected.length).toBeGreaterThan(200);
      const all = await costOf(admin, () => admin.listUserIds({ is_active: true, search: 'u000', ordering: '-username' }, 10_000));
      expect(all.value).toEqual({ count: expected.length, ids: expected });
      expect(all.requests).toBe(Math.ceil(expected.length / 100));
      const some = await costOf(admin, () => admin.listUserIds({ is_active: true, search: 'u000', ordering: '-username' }, 150));
      expect(some.value).toEqual({ count: expected.length, ids: expected.slice(0, 150) });
      expect(some.requests).toBe(2);
    });
  });
}

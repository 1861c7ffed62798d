// Every column of the Users manager, from admins whose change list omits some:
// Django's stock UserAdmin (no superuser, active or dates) and
// cookiecutter-django's (no email either, and a search box that searches only
// `name`). What the list gives must be what each user's change form says, and
// a page must cost a bounded number of requests whatever its size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_ORACLE_REQUESTS } from '../../src-main/backend/remote/date-oracle.ts';
import { createRemoteGraphistryBackend, type RemoteBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { User } from '../../src-shared/domain.ts';
import { djangoMissing, PEER_ADMIN, seedPeerUsers, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const missing = await djangoMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the column tests of the remote Graphistry backend.\n\n`);

/** Requests one call costs, as the backend counts them. */
async function costOf<T>(backend: RemoteBackend, call: () => Promise<T>): Promise<{ value: T; requests: number }> {
  const before = backend.requestCount();
  const value = await call();
  return { value, requests: backend.requestCount() - before };
}

for (const listDisplay of ['django', 'cookiecutter'] as const) {
  (missing ? describe.skip : describe)(`remote Users list with the ${listDisplay} user admin`, () => {
    let peer: DjangoPeer;
    let admin: RemoteBackend;
    beforeAll(async () => {
      peer = await startDjangoPeer({ listDisplay });
      await seedPeerUsers(peer, 300);
      admin = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => PEER_ADMIN.password }) as RemoteBackend;
      await admin.capabilities();
    }, 90_000);
    afterAll(async () => peer?.stop());

    /** The list's rows against each user's own change form (dates to the second where the list reads them exactly). */
    async function expectTrue(rows: User[], sample: number[]) {
      for (const i of sample) expect(rows[i], `row ${i}`).toEqual(await admin.getUser(rows[i]!.id));
    }

    it('declares as sortable only the columns the admin lists', async () => {
      expect((await admin.capabilities()).sortable).toEqual(listDisplay === 'django' ? ['username', 'email', 'is_staff'] : ['username', 'is_superuser']);
    });

    it('fills every column of a 50-row page from the rows’ change forms (fewer requests than the filters would take)', async () => {
      const { value, requests } = await costOf(admin, () => admin.listUsers({ page: 3, page_size: 50, ordering: 'username' }));
      expect(value.results).toHaveLength(50);
      expect(requests).toBe(1 + 50);
      await expectTrue(value.results, [0, 17, 49]);
    });

    it('fills a 200-row page in a number of requests that does not grow with the page', async () => {
      const { value, requests } = await costOf(admin, () => admin.listUsers({ page: 1, page_size: 200, ordering: 'username' }));
      expect(value.results).toHaveLength(200);
      if (listDisplay === 'django') {
        // Two change-list pages of 100 rows, one filter per missing flag, the bit-by-bit filters per missing date.
        expect(requests).toBeLessThanOrEqual(2 + 2 + 2 * DATE_ORACLE_REQUESTS);
        await expectTrue(value.results, [0, 3, 99, 150, 199]);
        expect(value.results.filter((u) => u.last_login === null).length).toBeGreaterThan(100);
      } else {
        // No email in the list: Django's admin has no bulk source for a text field, so this admin costs a request per row.
        expect(requests).toBe(2 + 200);
        await expectTrue(value.results, [0, 199]);
      }
    });

    it('searches by username even where the admin’s own search box does not', async () => {
      const found = await admin.listUsers({ search: 'u00004', page_size: 50, ordering: 'username' });
      expect(found.results.map((u) => u.username)).toEqual(Array.from({ length: 10 }, (_, i) => `u00004${i}`));
    });

    it('walks Django’s pages of 100 for the ids of every match, one page a request, and stops at the limit', async () => {
      const orm = await peer.shell("from users.models import User\nprint(list(User.objects.filter(is_active=True).order_by('-username').values_list('id', flat=True)))");
      const expected = JSON.parse(orm.trim().split('\n').at(-1)!) as number[];
      expect(expected.length).toBeGreaterThan(200);
      const all = await costOf(admin, () => admin.listUserIds({ is_active: true, ordering: '-username' }, 10_000));
      expect(all.value).toEqual({ count: expected.length, ids: expected });
      expect(all.requests).toBe(Math.ceil(expected.length / 100));
      const some = await costOf(admin, () => admin.listUserIds({ is_active: true, ordering: '-username' }, 150));
      expect(some.value).toEqual({ count: expected.length, ids: expected.slice(0, 150) });
      expect(some.requests).toBe(2);
    });
  });
}

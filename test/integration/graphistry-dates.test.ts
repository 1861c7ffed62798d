// Issue 18's dates against live Django peers, compared with what each peer's
// database holds (read through `manage.py shell`):
// - German admin pages (LANGUAGE_CODE='de', no LocaleMiddleware), in Europe/Berlin:
//   every date joined read 1970-01-01 and every last login empty, silently; and
//   a refused write said only the generic top note ("Bitte die unten …").
// - German with LocaleMiddleware, in a daylight-saving zone (America/New_York):
//   dates from the other season were an hour off.
// Dates are read the way the admin declares it writes them (its jsi18n
// catalog) and placed in time by the zone's own rules; a change list shows
// them to the minute, a change form to the second, and each is compared at
// exactly that precision, in both seasons and in the hour a fall-back repeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteGraphistryBackend, type RemoteBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { User, UserRow } from '../../src-shared/domain.ts';
import { failure } from '../helpers/failure.ts';
import { PEER_ADMIN, startDjangoPeer, type DjangoPeer, type PeerOptions } from '../helpers/django-peer.ts';
import { djangoRuntimes } from '../helpers/django-versions.ts';

/** Instants around the seasons' edges, as UTC; some with seconds and a fraction. */
const INSTANTS = {
  winter: '2024-01-15T09:30:12.345678+00:00',
  summer: '2024-07-15T09:30:12+00:00',
  // Berlin: 02:30:40 CEST, then 02:30:20 CET an hour later (both shown "27. Oktober 2024 02:30").
  berlinFoldFirst: '2024-10-27T00:30:40+00:00',
  berlinFoldSecond: '2024-10-27T01:30:20+00:00',
  // Berlin's spring change: 01:59:59 CET, then 03:00:00 CEST.
  berlinBeforeSpring: '2024-03-31T00:59:59+00:00',
  berlinAfterSpring: '2024-03-31T01:00:00+00:00',
  // New York: 01:30 EDT, then 01:30 EST an hour later.
  newYorkFoldFirst: '2024-11-03T05:30:05+00:00',
  newYorkFoldSecond: '2024-11-03T06:30:07+00:00',
  lastCentury: '1999-12-31T23:59:59+00:00',
  future: '2031-06-01T12:00:00+00:00',
} as const;

/** One user per instant (date joined), each signed in last in the other season or never. */
const SEED = [
  'from datetime import datetime',
  'from users.models import User',
  `instants = ${JSON.stringify(Object.entries(INSTANTS))}`,
  "summer, winter = datetime.fromisoformat('2023-08-01T18:45:33+00:00'), datetime.fromisoformat('2023-12-24T07:05:59+00:00')",
  "rows = [User(username='d-' + name, email=name + '@dates.example', password='!', date_joined=datetime.fromisoformat(at), last_login=(None if i % 3 == 2 else summer if i % 2 else winter)) for i, (name, at) in enumerate(instants)]",
  'User.objects.bulk_create(rows)',
].join('\n');

/** Every user as the peer's database holds it: dates as UTC ISO with their microseconds. */
async function database(
  peer: DjangoPeer,
): Promise<Map<string, { date_joined: string; last_login: string | null; is_active: boolean; is_staff: boolean; is_superuser: boolean; email: string }>> {
  const out = await peer.shell(
    [
      'import json',
      'from datetime import timezone',
      'from users.models import User',
      "iso = lambda d: d and d.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')",
      'print(json.dumps({u.username: dict(date_joined=iso(u.date_joined), last_login=iso(u.last_login), is_active=u.is_active, is_staff=u.is_staff, is_superuser=u.is_superuser, email=u.email) for u in User.objects.all()}))',
    ].join('\n'),
  );
  return new Map(Object.entries(JSON.parse(out.trim().split('\n').at(-1)!)));
}

/** A UTC ISO instant cut to what a page shows: the minute (a change list) or the second (a change form). */
const cut = (iso: string | null, unit: 'minute' | 'second') =>
  iso === null ? null : new Date(`${iso.slice(0, unit === 'minute' ? 16 : 19)}${unit === 'minute' ? ':00' : ''}Z`).toISOString();

function expectDatesOf(rows: Array<User | UserRow>, db: Awaited<ReturnType<typeof database>>, unit: 'minute' | 'second') {
  for (const u of rows) {
    const truth = db.get(u.username)!;
    expect({ who: u.username, date_joined: u.date_joined, last_login: u.last_login }).toEqual({
      who: u.username,
      date_joined: cut(truth.date_joined, unit),
      last_login: cut(truth.last_login, unit),
    });
    expect({ who: u.username, is_active: u.is_active, is_staff: u.is_staff, is_superuser: u.is_superuser, email: u.email }).toEqual({
      who: u.username,
      is_active: truth.is_active,
      is_staff: truth.is_staff,
      is_superuser: truth.is_superuser,
      email: truth.email,
    });
  }
}

const CASES: Array<{ name: string; peer: PeerOptions; pages: 'German' | 'English' }> = [
  { name: 'German admin pages (LANGUAGE_CODE de, no LocaleMiddleware) in Europe/Berlin', peer: { language: 'de', timeZone: 'Europe/Berlin' }, pages: 'German' },
  {
    name: 'German with LocaleMiddleware in America/New_York',
    peer: { language: 'de', localeMiddleware: true, timeZone: 'America/New_York' },
    pages: 'English',
  },
];

// Each Django the peer runs on (3.2, 4.2, 5.2): the catalog, the formats and the offset-bearing lookups are each version's own.
for (const runtime of await djangoRuntimes()) {
  const version = runtime.ok ? runtime.full : runtime.version;
  if (!runtime.ok) process.stderr.write(`\n!!! ${runtime.why}: SKIPPING the remote Graphistry date tests on Django ${version}.\n\n`);
  for (const c of CASES) {
    (runtime.ok ? describe : describe.skip)(`remote dates on Django ${version}: ${c.name}`, () => {
      let peer: DjangoPeer;
      let admin: RemoteBackend;
      beforeAll(async () => {
        peer = await startDjangoPeer({ ...c.peer, django: runtime.version });
        await peer.shell(SEED);
        admin = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
          type: 'admin_password',
          username: PEER_ADMIN.username,
          password: async () => PEER_ADMIN.password,
        }) as RemoteBackend;
        await admin.capabilities();
      }, 90_000);
      afterAll(async () => peer?.stop());

      it(`serves its admin in ${c.pages} to the console`, async () => {
        // The console asks for English (Accept-Language); only LocaleMiddleware lets Django follow it.
        const page = await fetch(`${peer.url}/admin/login/`, { headers: { 'Accept-Language': 'en-US,en;q=0.5' } }).then((r) => r.text());
        expect(page).toMatch(c.pages === 'German' ? /<html lang="de"/ : /<html lang="en/);
      });

      it('lists every date as the database holds it, to the minute the list shows, in both seasons and the repeated hour', async () => {
        const before = admin.requestCount();
        const page = await admin.listUsers({ ordering: 'username', page_size: 100 });
        const requests = admin.requestCount() - before;
        expect(page.unlisted).toBeUndefined();
        expect(page.results.map((u) => u.username)).toEqual([
          'admin',
          ...Object.keys(INSTANTS)
            .map((n) => `d-${n}`)
            .sort(),
        ]);
        expectDatesOf(page.results, await database(peer), 'minute');
        // The list, the admin's date formats once, and a few questions that settle the time zone (and the repeated hour's rows).
        expect(requests).toBeLessThanOrEqual(1 + 1 + 8);
        const again = admin.requestCount();
        expectDatesOf((await admin.listUsers({ ordering: 'username', page_size: 100 })).results, await database(peer), 'minute');
        // Settled: only the repeated hour still needs asking, for its two rows here: one question each, and a
        // second for the row whose first answer was "no" (what is left is confirmed by Django, never concluded).
        expect(admin.requestCount() - again).toBeLessThanOrEqual(1 + 2 * 2);
        expect(admin.requestCount() - again).toBeGreaterThanOrEqual(1 + 2);
      });

      it('reads each user’s dates from its change form to the second (getUser, getUsers)', async () => {
        const db = await database(peer);
        const ids = (await admin.listUsers({ ordering: 'username', page_size: 100 })).results.map((u) => u.id);
        const read = await admin.getUsers(ids);
        expect(read.failed).toEqual([]);
        expectDatesOf(read.users, db, 'second');
        expectDatesOf([await admin.getUser(ids[3]!)], db, 'second');
      });

      it('reads a sign-in made just now in today’s offset (the admin’s own last login)', async () => {
        await createRemoteGraphistryBackend({ baseUrl: peer.url })
          .withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => PEER_ADMIN.password })
          .capabilities();
        const me = await admin.me();
        expect(me.last_login).toBe(cut((await database(peer)).get(PEER_ADMIN.username)!.last_login, 'second'));
      });

      it('says a refused write’s own field error, not the form’s generic note', async () => {
        const refused = await failure(admin.createUser({ username: 'd-short', password: 'abc' }));
        expect(refused).toMatchObject({ code: 'VALIDATION' });
        expect(refused.fields?.map((f) => f.field)).toContain('password');
        const said = `${refused.message} ${refused.fields!.map((f) => f.message).join(' ')}`;
        expect(said).toMatch(c.pages === 'German' ? /kurz/ : /too short/);
        expect(refused.message).not.toMatch(/Bitte|Please correct/);
      });
    });
  }
}

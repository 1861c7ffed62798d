// The suite of graphistry-user-models-<version>.test.ts, one file per Django
// version so that their peers run side by side.
//
// User models and user admins that differ from the reference peer's, each a
// small Django project (test/fixtures/graphistry-variants): the remote backend
// shows each server's true values and writes exactly the fields asked for, or
// refuses, naming what it cannot do, with the database left as it was (a
// `dumpdata` before and after, compared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import type { Backend } from '../../src-main/contracts.ts';
import { ConsoleFailure, type ConsoleError } from '../../src-shared/console-errors.ts';
import type { UserRow } from '../../src-shared/domain.ts';
import { failure } from './failure.ts';
import { PEER_ADMIN, startDjangoPeer, type DjangoPeer } from './django-peer.ts';
import type { DjangoRuntime, DjangoVersion } from './django-versions.ts';
import { dumpDiff, dumpPeer } from './peer-dump.ts';

const PASSWORD = 'carol keeps a long passphrase';

/** A variation of the peer on this Django, and the backend signed in to it as its superuser. */
function variation(django: DjangoVersion, variant: string, setup = '', username: string = PEER_ADMIN.username) {
  const v = { peer: null as unknown as DjangoPeer, admin: null as unknown as Backend };
  beforeAll(async () => {
    v.peer = await startDjangoPeer({ variant, django });
    if (setup) await v.peer.shell(`from django.contrib.auth import get_user_model\nUser = get_user_model()\n${setup}`);
    v.admin = createRemoteGraphistryBackend({ baseUrl: v.peer.url }).withAuth({ type: 'admin_password', username, password: async () => PEER_ADMIN.password });
    await v.admin.me();
  }, 90_000);
  afterAll(async () => v.peer?.stop());
  return v;
}

/** What `call` answered (or the ConsoleError it failed with), and how the database differs after it (`dumpDiff` lines). */
async function changes<T>(peer: DjangoPeer, call: () => Promise<T>): Promise<{ diff: string[]; value?: T; error?: ConsoleError }> {
  const before = await dumpPeer(peer);
  const outcome = await call().then(
    (value) => ({ value }),
    (e: unknown) => {
      if (e instanceof ConsoleFailure) return { error: e.error };
      throw e;
    },
  );
  return { ...outcome, diff: dumpDiff(before, await dumpPeer(peer)) };
}

/** A user without its dates: the change list shows them to the minute, the change form to the second (server-time.ts). */
const undated = ({ date_joined: _j, last_login: _l, ...rest }: UserRow) => rest;

/**
 * A save through Django's admin drops the fraction of a second from the
 * user's dates: its form shows and posts them to the second (a browser's
 * save does the same). The seeded users' dates have one.
 */
const seconds = (model: string, pk: unknown) => `${model} ${String(pk)} date_joined to the second`;

async function pkOf(peer: DjangoPeer, username: string): Promise<string> {
  return (
    await peer.shell(
      `from django.contrib.auth import get_user_model\nprint(get_user_model().objects.get(**{get_user_model().USERNAME_FIELD: '${username}'}).pk)`,
    )
  )
    .trim()
    .split('\n')
    .at(-1)!;
}

/** The whole suite on one Django (each version's file calls it: test/integration/graphistry-user-models-*.test.ts). */
export function userModelsSuite(runtime: DjangoRuntime): void {
  const { version } = runtime;
  if (!runtime.ok) process.stderr.write(`\n!!! ${runtime.why}: SKIPPING the remote backend's user model variations on Django ${version}.\n\n`);
  const suite = runtime.ok ? describe : describe.skip;

  suite(`a user field whose stored value is no longer among its choices (legacy plan tier) (Django ${version})`, () => {
    const v = variation(
      version,
      'legacy-plan',
      "User.objects.create_user('goldie', password='x', plan='gold')\nUser.objects.create_user('teamer', password='x', plan='team')",
    );

    it('refuses to toggle staff on that user, naming the field, and changes nothing; the bulk action refuses it the same way', async () => {
      const goldie = (await v.admin.listUsers({ search: 'goldie' })).results[0]!;
      expect(goldie).toMatchObject({ username: 'goldie', is_staff: false });
      const single = await changes(v.peer, () => v.admin.updateUser(goldie.id, { is_staff: true }));
      expect(single.error).toMatchObject({
        code: 'CONFLICT',
        serverCode: 'UNREADABLE_FIELD',
        fields: [{ field: 'plan', message: expect.stringContaining('not among the choices') }],
      });
      expect(single.error?.message).toContain('nothing was changed');
      expect(single.diff).toEqual([]);
      const bulk = await changes(v.peer, () => v.admin.setUsersActive([goldie.id], false));
      expect(bulk.value?.failed).toEqual([{ id: goldie.id, code: 'UNREADABLE_FIELD', message: single.error!.message }]);
      expect(bulk.diff).toEqual([]);
    });

    it('on a user whose tier is offered, writes exactly the field asked for', async () => {
      const teamer = (await v.admin.listUsers({ search: 'teamer' })).results[0]!;
      const done = await changes(v.peer, () => v.admin.updateUser(teamer.id, { is_staff: true }));
      expect(done.value).toMatchObject({ username: 'teamer', is_staff: true });
      expect(done.diff).toEqual([seconds('legacy_plan.user', teamer.id), `legacy_plan.user ${teamer.id} is_staff`]);
    });
  });

  suite(`is_superuser in the user admin’s readonly_fields (Django ${version})`, () => {
    const v = variation(version, 'readonly-superuser', "User.objects.create_user('carol', password='x', email='carol@example.com')");

    it('reads the superuser flag from its read-only display (me, getUser, the list) and says the field is read-only', async () => {
      expect(await v.admin.me()).toMatchObject({ username: 'admin', is_superuser: true, is_staff: true, email: 'admin@example.com' });
      const carol = (await v.admin.listUsers({ search: 'carol' })).results[0]!;
      expect(undated(await v.admin.getUser(carol.id))).toEqual(undated(carol));
      expect(carol).toMatchObject({ is_superuser: false, is_active: true, email: 'carol@example.com' });
      const caps = (await v.admin.capabilities()).user_model;
      expect(caps).toMatchObject({ username_field: 'username', ids: 'server', read_only: ['is_superuser'] });
      expect(caps.notes).toEqual([expect.stringContaining('shows superuser status read-only')]);
    });

    it('refuses to change it, with nothing changed; other fields of the same user are written exactly', async () => {
      const carol = (await v.admin.listUsers({ search: 'carol' })).results[0]!;
      const refused = await changes(v.peer, () => v.admin.updateUser(carol.id, { is_superuser: true, is_staff: true }));
      expect(refused.error).toMatchObject({
        code: 'UNSUPPORTED',
        serverCode: 'READ_ONLY_FIELD',
        fields: [{ field: 'is_superuser', message: 'it is read-only on its user form' }],
      });
      expect(refused.diff).toEqual([]);
      const staff = await changes(v.peer, () => v.admin.updateUser(carol.id, { is_staff: true, is_superuser: false }));
      expect(staff.value).toMatchObject({ is_staff: true, is_superuser: false });
      expect(staff.diff).toEqual([seconds('users.user', carol.id), `users.user ${carol.id} is_staff`]);
    });

    it('refuses to create a superuser before making anything; creates any other user whole', async () => {
      const refused = await changes(v.peer, () => v.admin.createUser({ username: 'dora', password: PASSWORD, is_superuser: true }));
      expect(refused.error).toMatchObject({ serverCode: 'READ_ONLY_FIELD', fields: [{ field: 'is_superuser' }] });
      expect(refused.diff).toEqual([]);
      const made = await changes(v.peer, () =>
        v.admin.createUser({ username: 'erin', password: PASSWORD, email: 'erin@example.com', is_staff: true, is_superuser: false }),
      );
      expect(made.value?.user).toMatchObject({ username: 'erin', email: 'erin@example.com', is_staff: true, is_superuser: false, is_active: true });
      expect(made.diff).toEqual([`users.user ${made.value!.user.id} added`]);
    });
  });

  suite(`USERNAME_FIELD = "email" (no username field) (Django ${version})`, () => {
    const v = variation(version, 'email-login', "User.objects.create_user('carol@example.com', password='x')", PEER_ADMIN.email);

    it('signs in with the email, reads users with it as the username, and says so', async () => {
      expect(await v.admin.me()).toMatchObject({ username: PEER_ADMIN.email, email: PEER_ADMIN.email, is_superuser: true });
      const page = await v.admin.listUsers({ search: 'carol', ordering: 'username' });
      expect(page.results.map((u) => [u.username, u.email])).toEqual([['carol@example.com', 'carol@example.com']]);
      const caps = await v.admin.capabilities();
      expect(caps.user_model).toMatchObject({ username_field: 'email', read_only: [] });
      expect(caps.user_model.notes).toEqual([expect.stringContaining('sign in with their email address')]);
      expect(caps.sortable).toContain('username');
    });

    it('creates, renames, sets a password and deletes users by their email', async () => {
      const made = await changes(v.peer, () =>
        v.admin.createUser({ username: 'dave@example.com', password: PASSWORD, email: 'dave@example.com', is_staff: true }),
      );
      const dave = made.value!.user;
      expect(dave).toMatchObject({ username: 'dave@example.com', email: 'dave@example.com', is_staff: true });
      expect(made.diff).toEqual([`email_login.user ${dave.id} added`]);
      const renamed = await changes(v.peer, () => v.admin.updateUser(dave.id, { username: 'david@example.com' }));
      expect(renamed.value).toMatchObject({ username: 'david@example.com', email: 'david@example.com' });
      // Made through the admin's forms, its dates are already to the second.
      expect(renamed.diff).toEqual([`email_login.user ${dave.id} email`]);
      await v.admin.setUserPassword(dave.id, 'dave has a new passphrase');
      expect(
        (
          await v.peer.shell(
            "from django.contrib.auth import authenticate\nprint(authenticate(username='david@example.com', password='dave has a new passphrase') is not None)",
          )
        ).trim(),
      ).toMatch(/True$/);
      const gone = await changes(v.peer, () => v.admin.deleteUser(dave.id));
      expect(gone.diff).toEqual([`email_login.user ${dave.id} removed`]);
    });

    it('refuses an email that is not the username, an empty one, and a taken one in another case, with nothing changed', async () => {
      const carol = (await v.admin.listUsers({ search: 'carol' })).results[0]!;
      const calls: Array<() => Promise<unknown>> = [
        () => v.admin.createUser({ username: 'erin@example.com', password: PASSWORD, email: 'other@example.com' }),
        () => v.admin.updateUser(carol.id, { email: null }),
        () => v.admin.updateUser(carol.id, { username: 'x@example.com', email: 'y@example.com' }),
      ];
      for (const call of calls) {
        const refused = await changes(v.peer, call);
        expect(refused.error).toMatchObject({ code: 'VALIDATION', fields: [{ field: 'email', message: 'is the username on this server' }] });
        expect(refused.diff).toEqual([]);
      }
      const taken = await changes(v.peer, () => v.admin.createUser({ username: 'CAROL@example.com', password: PASSWORD }));
      expect(taken.error).toMatchObject({ code: 'CONFLICT', serverCode: 'USERNAME_TAKEN' });
      expect(taken.diff).toEqual([]);
    });
  });

  suite(`a UUID primary key (Django ${version})`, () => {
    const v = variation(
      version,
      'uuid-pk',
      "User.objects.create_user('carol', password='x', email='carol@example.com')\nUser.objects.create_user('dave', password='x')",
    );

    it('lists every row its count says, with ids that are the console’s own numbers for this sign-in, and says so', async () => {
      const page = await v.admin.listUsers({ ordering: 'username' });
      expect(page.count).toBe(3);
      expect(page.results.map((u) => u.username)).toEqual(['admin', 'carol', 'dave']);
      for (const u of page.results) expect(undated(await v.admin.getUser(u.id))).toEqual(undated(u));
      expect(new Set(page.results.map((u) => u.id)).size).toBe(3);
      const caps = (await v.admin.capabilities()).user_model;
      expect(caps).toMatchObject({ ids: 'console', read_only: [] });
      expect(caps.notes).toEqual([expect.stringContaining('keys that are not numbers')]);
      expect(await failure(v.admin.getUser(999))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'USER_NOT_FOUND' });
    });

    it('creates a user and reports it; refuses ADMIN beside admin', async () => {
      const made = await changes(v.peer, () => v.admin.createUser({ username: 'erin', password: PASSWORD, email: 'erin@example.com', is_staff: true }));
      expect(made.value?.user).toMatchObject({ username: 'erin', email: 'erin@example.com', is_staff: true });
      expect(made.diff).toEqual([`uuid_pk.user ${await pkOf(v.peer, 'erin')} added`]);
      const taken = await changes(v.peer, () => v.admin.createUser({ username: 'ADMIN', password: PASSWORD }));
      expect(taken.error).toMatchObject({ code: 'CONFLICT', serverCode: 'USERNAME_TAKEN' });
      expect(taken.diff).toEqual([]);
    });

    it('changes, bulk-deactivates and deletes exactly the user each id names', async () => {
      const [carol, dave] = (await v.admin.listUsers({ search: 'a', ordering: 'username' })).results.filter((u) => u.username !== 'admin');
      const carolPk = await pkOf(v.peer, 'carol');
      const davePk = await pkOf(v.peer, 'dave');
      expect((await changes(v.peer, () => v.admin.updateUser(carol!.id, { is_staff: true }))).diff).toEqual([
        seconds('uuid_pk.user', carolPk),
        `uuid_pk.user ${carolPk} is_staff`,
      ]);
      const bulk = await changes(v.peer, () => v.admin.setUsersActive([dave!.id], false));
      expect(bulk.value?.changed.map((u) => u.username)).toEqual(['dave']);
      expect(bulk.diff).toEqual([seconds('uuid_pk.user', davePk), `uuid_pk.user ${davePk} is_active`]);
      expect((await v.admin.listUserIds({ is_active: false }, 10)).ids).toEqual([dave!.id]);
      expect((await changes(v.peer, () => v.admin.deleteUser(carol!.id))).diff).toEqual([`uuid_pk.user ${carolPk} removed`]);
    });

    it('a user whose second step fails is said to exist, with its id and what is missing, and can be deleted', async () => {
      // Django's change form refuses this email; the add form never asked for one.
      const half = await changes(v.peer, () => v.admin.createUser({ username: 'frank', password: PASSWORD, email: 'frank@@example.com', is_staff: true }));
      expect(half.error).toMatchObject({ code: 'CONFLICT', serverCode: 'USER_INCOMPLETE', fields: [{ field: 'email' }, { field: 'is_staff' }] });
      expect(half.error?.message).toMatch(
        /^User "frank" was created \(id \d+\), but the email, staff status were not saved: .*Enter a valid email address.*Finish it in the user's editor, or delete it\.$/,
      );
      const id = half.error!.user_id!;
      expect(await v.admin.getUser(id)).toMatchObject({ username: 'frank', email: null, is_staff: false });
      await v.admin.deleteUser(id);
      expect(await failure(v.admin.getUser(id))).toMatchObject({ serverCode: 'USER_NOT_FOUND' });
    });
  });
}

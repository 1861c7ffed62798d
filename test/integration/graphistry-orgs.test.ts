// A Graphistry whose admin site lists organizations (the `orgs` variation of
// the peer, test/fixtures/graphistry-variants/organizations): the console
// reads them read-only, exactly as the admin shows them, on every Django
// version; every change is refused with the `org_writes` sentence before
// anything is posted, and the database is left as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHISTRY_ORG_WRITES } from '../../src-main/backend/capabilities.ts';
import { createRemoteGraphistryBackend, type RemoteBackend } from '../../src-main/backend/remote/remote-backend.ts';
import { failure } from '../helpers/failure.ts';
import { PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';
import { djangoRuntimes } from '../helpers/django-versions.ts';
import { dumpDiff, dumpPeer } from '../helpers/peer-dump.ts';

const SEED = `
from django.contrib.auth import get_user_model
from organizations.models import Organization, OrganizationMember
User = get_user_model()
ana = User.objects.create_user('ana', password='x')
ben = User.objects.create_user('ben', password='x')
User.objects.create_user('cy', password='x')
acme = Organization.objects.create(slug='acme', name='Acme Corp')
globex = Organization.objects.create(slug='globex', name='Globex')
OrganizationMember.objects.create(organization=acme, user=ana, role='admin')
OrganizationMember.objects.create(organization=acme, user=ben, role='member')
OrganizationMember.objects.create(organization=globex, user=ben, role='admin')
print(acme.pk, globex.pk, ana.pk, ben.pk)
`;

for (const runtime of await djangoRuntimes()) {
  const { version } = runtime;
  if (!runtime.ok) process.stderr.write(`\n!!! ${runtime.why}: SKIPPING the remote organizations on Django ${version}.\n\n`);
  (runtime.ok ? describe : describe.skip)(`a Graphistry whose admin lists organizations, read-only (Django ${version})`, () => {
    let peer: DjangoPeer;
    let admin: RemoteBackend;
    let pk: { acme: string; globex: string; ana: number; ben: number };
    beforeAll(async () => {
      peer = await startDjangoPeer({ variant: 'orgs', django: version });
      const [acme, globex, ana, ben] = (await peer.shell(SEED)).trim().split('\n').at(-1)!.split(' ');
      pk = { acme: acme!, globex: globex!, ana: Number(ana), ben: Number(ben) };
      admin = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
        type: 'admin_password',
        username: PEER_ADMIN.username,
        password: async () => PEER_ADMIN.password,
      }) as RemoteBackend;
      await admin.me();
    }, 90_000);
    afterAll(async () => peer?.stop());

    it('declares organizations readable and their changes refused, with the sentence', async () => {
      const caps = await admin.capabilities();
      expect(caps.unsupported.organizations).toBeUndefined();
      expect(caps.unsupported.org_writes).toBe(GRAPHISTRY_ORG_WRITES);
    });

    it('lists and searches organizations as the admin lists them; what it does not list is unlisted, never guessed', async () => {
      const all = await admin.listOrganizations({});
      expect(all.count).toBe(2);
      expect(all.results.map((o) => [o.ref, o.slug, o.name]).sort()).toEqual([
        [`pk-${pk.acme}`, 'acme', 'Acme Corp'],
        [`pk-${pk.globex}`, 'globex', 'Globex'],
      ]);
      expect(all.results[0]).toMatchObject({ member_count: null, admin_count: null, join_policy: null, created_at: null, role: null });
      expect(all.unlisted).toEqual(['join_policy', 'created_at', 'member_count', 'admin_count']);
      expect((await admin.listOrganizations({ search: 'glob' })).results.map((o) => o.slug)).toEqual(['globex']);
      expect((await admin.listOrganizations({ ordering: '-slug' })).results.map((o) => o.slug)).toEqual(['globex', 'acme']);
      const paged = await admin.listOrganizations({ ordering: 'slug', page: 2, page_size: 1 });
      expect([paged.count, paged.results.map((o) => o.slug)]).toEqual([2, ['globex']]);
      expect(await failure(admin.listOrganizations({ ordering: 'member_count' }))).toMatchObject({ code: 'UNSUPPORTED' });
    });

    it('reads one organization, its members and roles from its page, and a user’s memberships from the membership list', async () => {
      expect(await admin.getOrganization(`pk-${pk.acme}`)).toMatchObject({ slug: 'acme', name: 'Acme Corp', member_count: 2, admin_count: 1 });
      const members = await admin.listOrgMembers(`pk-${pk.acme}`, {});
      expect(members.results).toEqual([
        { user_id: pk.ana, username: 'ana', email: null, is_active: null, role: 'admin', joined_at: null, invited_by: null },
        { user_id: pk.ben, username: 'ben', email: null, is_active: null, role: 'member', joined_at: null, invited_by: null },
      ]);
      expect((await admin.listOrgMembers(`pk-${pk.acme}`, { search: 'BE' })).results.map((m) => m.username)).toEqual(['ben']);
      const ben = await admin.listUserMemberships(pk.ben);
      expect(ben.map((m) => [m.organization.ref, m.organization.name, m.role]).sort()).toEqual([
        [`pk-${pk.acme}`, 'acme', 'member'],
        [`pk-${pk.globex}`, 'globex', 'admin'],
      ]);
      const cy = (await admin.listUsers({ search: 'cy' })).results.find((u) => u.username === 'cy')!;
      expect(await admin.listUserMemberships(cy.id)).toEqual([]);
      expect(await failure(admin.getOrganization('pk-99999'))).toMatchObject({ code: 'NOT_FOUND', serverCode: 'ORG_NOT_FOUND' });
    });

    it('refuses every change (and its invitation links) with the org_writes sentence, and changes nothing', async () => {
      const before = await dumpPeer(peer);
      const acme = `pk-${pk.acme}`;
      const writes = {
        createOrganization: () => admin.createOrganization({ slug: 'initech' }),
        updateOrganization: () => admin.updateOrganization(acme, { name: 'Renamed' }),
        deleteOrganization: () => admin.deleteOrganization(acme),
        addOrgMember: () => admin.addOrgMember(acme, pk.ana, 'member'),
        setOrgMemberRole: () => admin.setOrgMemberRole(acme, pk.ben, 'admin'),
        removeOrgMember: () => admin.removeOrgMember(acme, pk.ben),
        createOrgUser: () => admin.createOrgUser(acme, { username: 'dora', password: 'dora keeps a long passphrase' }, 'member'),
        // Invitation links are the Graphistry's own, not its admin site's: listing them is refused with the same sentence.
        listOrgInvitations: () => admin.listOrgInvitations(acme, 'all'),
        createOrgInvitation: () => admin.createOrgInvitation(acme, { role: 'member' }),
        revokeOrgInvitation: () => admin.revokeOrgInvitation(acme, 'abc123'),
      };
      const sent = admin.requestCount();
      for (const [name, write] of Object.entries(writes))
        expect(await failure(write()), name).toEqual({ code: 'UNSUPPORTED', serverCode: 'UNSUPPORTED', message: GRAPHISTRY_ORG_WRITES });
      // Refused before anything is sent: not a post, not even a page.
      expect(admin.requestCount()).toBe(sent);
      expect(dumpDiff(before, await dumpPeer(peer))).toEqual([]);
    });
  });
}

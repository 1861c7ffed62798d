import { describe, expect, it } from 'vitest';
import type { OrgMember } from '../../../../src-shared/domain.ts';
import { hashToRoute, routeToHash, type Route } from '../../lib/route.ts';
import { lastAdminReason, orgLabel, roleRefusal, slugPreview, sortMembers, wordList } from './org-logic.ts';

const member = (over: Partial<OrgMember>): OrgMember => ({
  user_id: 1,
  username: 'ana',
  email: null,
  is_active: true,
  role: 'member',
  joined_at: '2026-01-01T00:00:00.000Z',
  invited_by: null,
  ...over,
});

describe('organization screens: pure rules', () => {
  it('the last active admin cannot be demoted or removed; an inactive admin does not count, nor does a member', () => {
    const ana = member({ user_id: 1, username: 'ana', role: 'admin' });
    const ben = member({ user_id: 2, username: 'ben', role: 'admin', is_active: false });
    const cy = member({ user_id: 3, username: 'cy' });
    expect(lastAdminReason([ana, ben, cy], ana)).toMatch(/last active admin/);
    expect(lastAdminReason([ana, ben, cy], ben)).toBeNull();
    expect(lastAdminReason([ana, ben, cy], cy)).toBeNull();
    const dee = member({ user_id: 4, username: 'dee', role: 'admin' });
    expect(lastAdminReason([ana, dee], ana)).toBeNull();
  });

  it('previews the id as stored (lower-case) or the rule it breaks', () => {
    expect(slugPreview('Acme')).toEqual({ slug: 'acme', error: null });
    expect(slugPreview('  ')).toEqual({ slug: null, error: null });
    expect(slugPreview('-acme').error).toMatch(/start and end with a letter or digit/);
    expect(slugPreview('join').error).toBe('is reserved');
  });

  it('orders admins first, then by username; labels name the id when it differs', () => {
    const order = sortMembers([
      member({ username: 'zed', user_id: 9 }),
      member({ username: 'bob', user_id: 8, role: 'admin' }),
      member({ username: 'al', user_id: 7 }),
    ]);
    expect(order.map((m) => m.username)).toEqual(['bob', 'al', 'zed']);
    expect(orgLabel({ name: 'Acme Corp', slug: 'acme' })).toBe('Acme Corp (acme)');
    expect(orgLabel({ name: 'acme', slug: 'acme' })).toBe('acme');
    expect(wordList(['created', 'members', 'admins'])).toBe('created, members and admins');
    expect(wordList(['created'])).toBe('created');
  });

  it('shows LAST_ORG_ADMIN beside the role, and nothing else there', () => {
    expect(roleRefusal({ code: 'CONFLICT', serverCode: 'LAST_ORG_ADMIN', message: 'This is the last active admin of “acme”.' })).toMatch(/last active admin/);
    expect(roleRefusal({ code: 'CONFLICT', serverCode: 'ALREADY_MEMBER', message: 'x' })).toBeNull();
  });

  it('the two routes round-trip through the hash, a Graphistry key included; a bad one is no route', () => {
    const routes: Route[] = [{ name: 'organizations' }, { name: 'organization', org: 'acme' }, { name: 'organization', org: 'pk-17' }];
    for (const r of routes) expect(hashToRoute(routeToHash(r))).toEqual(r);
    expect(hashToRoute('#/organizations/a%2Fb')).toBeNull();
    expect(hashToRoute('#/organizations/%E0%A4%A')).toBeNull();
  });
});

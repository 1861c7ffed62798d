import { describe, expect, it } from 'vitest';
import {
  clampPage,
  createLatestGuard,
  DEFAULT_QUERY,
  filterChoice,
  filterValue,
  hasFilters,
  nextOrdering,
  pageCount,
  pageSummary,
  paramsToQuery,
  userCount,
  queryToParams,
  signInText,
  signInValue,
  sortDirection,
  toListParams,
} from './users-query.ts';
import { hashParams } from '../lib/use-screen-address.ts';

describe('nextOrdering', () => {
  it('starts a new column ascending, then flips asc -> desc -> asc', () => {
    expect(nextOrdering('username', 'date_joined')).toBe('date_joined');
    expect(nextOrdering('date_joined', 'date_joined')).toBe('-date_joined');
    expect(nextOrdering('-date_joined', 'date_joined')).toBe('date_joined');
  });
  it('a descending sort on another column does not carry over', () => {
    expect(nextOrdering('-email', 'username')).toBe('username');
  });
});

describe('sortDirection', () => {
  it('reads the direction of the sorted column only', () => {
    expect(sortDirection('-last_login', 'last_login')).toBe('desc');
    expect(sortDirection('last_login', 'last_login')).toBe('asc');
    expect(sortDirection('last_login', 'username')).toBe(false);
    // A prefix of another field's name is not that field.
    expect(sortDirection('is_staff', 'is_superuser')).toBe(false);
  });
});

describe('toListParams', () => {
  it('leaves out "any" filters and a blank search', () => {
    expect(toListParams({ ...DEFAULT_QUERY, search: '   ' })).toEqual({ ordering: 'username', page: 1, page_size: 50 });
  });
  it('sends false filters (No) as well as true ones, and trims the search', () => {
    const p = toListParams({ ...DEFAULT_QUERY, search: ' ali ', is_staff: false, is_active: true, ordering: '-date_joined', page: 3, page_size: 25 });
    expect(p).toEqual({ search: 'ali', is_staff: false, is_active: true, ordering: '-date_joined', page: 3, page_size: 25 });
    expect('is_superuser' in p).toBe(false);
  });
});

describe('paging', () => {
  it('counts pages, with one page for nothing', () => {
    expect(pageCount(0, 50)).toBe(1);
    expect(pageCount(50, 50)).toBe(1);
    expect(pageCount(51, 50)).toBe(2);
    expect(pageCount(100_000, 50)).toBe(2000);
  });
  it('clamps a page into range', () => {
    expect(clampPage(0, 120, 50)).toBe(1);
    expect(clampPage(9, 120, 50)).toBe(3);
    expect(clampPage(2, 120, 50)).toBe(2);
  });
  it('summarises with thousands separators and the right plural', () => {
    expect(pageSummary(2, 100_000, 50)).toBe('Page 2 of 2,000 · 100,000 users');
    expect(pageSummary(1, 1, 50)).toBe('Page 1 of 1 · 1 user');
    expect(pageSummary(1, 0, 50)).toBe('Page 1 of 1 · 0 users');
    // Past 10,000 matches the server estimates the count, and the summary says so.
    expect(pageSummary(3, 1_000_000, 50, true)).toBe('Page 3 of about 20,000 · about 1,000,000 users');
    expect(userCount(1)).toBe('1 user');
  });
});

describe('filters', () => {
  it('maps the three-way select both ways', () => {
    for (const v of [undefined, true, false]) expect(filterValue(filterChoice(v))).toBe(v);
    expect(filterValue('something else')).toBeUndefined();
  });
  it('knows when anything narrows the list', () => {
    expect(hasFilters(DEFAULT_QUERY)).toBe(false);
    expect(hasFilters({ ...DEFAULT_QUERY, is_superuser: false })).toBe(true);
    expect(hasFilters({ ...DEFAULT_QUERY, search: 'x' })).toBe(true);
    expect(hasFilters({ ...DEFAULT_QUERY, sign_in: 'sso' })).toBe(true);
  });
  it('sends the sign-in filter only when one is chosen', () => {
    expect(toListParams({ ...DEFAULT_QUERY, sign_in: 'both' })).toMatchObject({ sign_in: 'both' });
    expect('sign_in' in toListParams(DEFAULT_QUERY)).toBe(false);
    expect(signInValue('any')).toBeUndefined();
    expect(signInValue('oidc')).toBeUndefined();
  });
});

describe('signInText', () => {
  it("says password, SSO via each IdP (an organization's with its slug), or both; nothing when the server does not say", () => {
    expect(signInText({ password: true, sso: [] })).toBe('Password');
    expect(signInText({ password: false, sso: [{ idp: 'corp', organization: null }] })).toBe('SSO via corp');
    expect(
      signInText({
        password: true,
        sso: [
          { idp: 'corp', organization: null },
          { idp: 'okta', organization: 'acme' },
          { idp: 'corp', organization: null },
        ],
      }),
    ).toBe('Password + SSO via corp, okta (acme)');
    expect(signInText({ password: false, sso: [{ idp: null, organization: null }] })).toBe('SSO via a removed IdP');
    expect(signInText({ password: false, sso: [] })).toBe('No usable password, no SSO');
    expect(signInText(undefined)).toBeNull();
  });
});

describe('createLatestGuard', () => {
  it('accepts only the most recent ticket', () => {
    const g = createLatestGuard();
    const first = g.begin();
    const second = g.begin();
    expect(g.isLatest(first)).toBe(false);
    expect(g.isLatest(second)).toBe(true);
  });
});

describe('the query in the address', () => {
  it('round-trips every part, and a plain list has no parameters', () => {
    const q = {
      ...DEFAULT_QUERY,
      search: 'ali b',
      is_staff: false,
      is_superuser: true,
      sign_in: 'sso' as const,
      ordering: '-date_joined' as const,
      page: 3,
      page_size: 100,
    };
    expect(paramsToQuery(queryToParams(q))).toEqual(q);
    expect(queryToParams(DEFAULT_QUERY)).toBe('');
    expect(paramsToQuery('')).toEqual(DEFAULT_QUERY);
  });
  it('ignores what it cannot read (a hand-edited address)', () => {
    expect(paramsToQuery('o=password&page=-2&size=7&staff=maybe&signin=oidc')).toEqual(DEFAULT_QUERY);
  });
  it('takes the part after ? of a hash', () => {
    expect(hashParams('#/users?q=x&page=2')).toBe('q=x&page=2');
    expect(hashParams('#/users')).toBe('');
  });
});

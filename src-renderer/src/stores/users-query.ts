import type { ConsoleParams } from '../../../src-shared/console-api.ts';
import type { UserOrderingField, UserQuery } from '../../../src-shared/domain.ts';
import { USER_ORDERING_FIELDS } from '../../../src-shared/domain.ts';
import { SIGN_IN_METHODS, type SignIn, type SignInMethod } from '../../../src-shared/user-schemas.ts';

/**
 * The Users manager's query, and the pure rules around it: what a header
 * click does to the ordering, which parameters reach `listUsers`, how many
 * pages there are, and which answer may still be applied. The server does
 * all the sorting, searching and paging; the renderer only ever holds one page.
 */
export type Ordering = NonNullable<UserQuery['ordering']>;
export type UserFilter = 'is_staff' | 'is_superuser' | 'is_active' | 'never_signed_in';

export interface UsersQuery {
  search: string;
  is_staff: boolean | undefined;
  is_superuser: boolean | undefined;
  is_active: boolean | undefined;
  sign_in: SignInMethod | undefined;
  /** Dormancy: never signed in (or, false: signed in at least once). */
  never_signed_in: boolean | undefined;
  /** No sign-in for this many days (never-signed-in users included). */
  inactive_days: number | undefined;
  /** Joined before this day, YYYY-MM-DD. */
  joined_before: string | undefined;
  ordering: Ordering;
  page: number;
  page_size: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

export const DEFAULT_QUERY: Readonly<UsersQuery> = Object.freeze({
  search: '',
  is_staff: undefined,
  is_superuser: undefined,
  is_active: undefined,
  sign_in: undefined,
  never_signed_in: undefined,
  inactive_days: undefined,
  joined_before: undefined,
  ordering: 'username',
  page: 1,
  page_size: DEFAULT_PAGE_SIZE,
});

/** A click on a column header: a new column starts ascending; the same column flips (asc -> desc -> asc, never "unsorted"). */
export function nextOrdering(current: Ordering, column: UserOrderingField): Ordering {
  if (current === column) return `-${column}`;
  return column;
}

/** The direction a column is sorted in, for aria-sort and the arrow. */
export function sortDirection(ordering: Ordering, column: UserOrderingField): 'asc' | 'desc' | false {
  if (ordering === column) return 'asc';
  if (ordering === `-${column}`) return 'desc';
  return false;
}

/**
 * The parameters for `listUsers`. "Any" filters and a blank search are left
 * out rather than sent empty: the contract's schema is strict, and the
 * server treats an absent filter as "any".
 */
export function toListParams(q: UsersQuery): Omit<ConsoleParams<'listUsers'>, 'connection'> {
  return { ...toFilterParams(q), page: q.page, page_size: q.page_size };
}

/** Which users the query matches, whatever the page: what a bulk action over "all N matching" asks for. */
export function toFilterParams(q: UsersQuery): ConsoleParams<'listUserIds'>['filter'] {
  const search = q.search.trim();
  return {
    ...(search ? { search } : {}),
    ...(q.is_staff !== undefined ? { is_staff: q.is_staff } : {}),
    ...(q.is_superuser !== undefined ? { is_superuser: q.is_superuser } : {}),
    ...(q.is_active !== undefined ? { is_active: q.is_active } : {}),
    ...(q.sign_in !== undefined ? { sign_in: q.sign_in } : {}),
    ...(q.never_signed_in !== undefined ? { never_signed_in: q.never_signed_in } : {}),
    ...(q.inactive_days !== undefined ? { inactive_days: q.inactive_days } : {}),
    ...(q.joined_before !== undefined ? { joined_before: q.joined_before } : {}),
    ordering: q.ordering,
  };
}

/** Pages for `count` rows; an empty result still has page 1 of 1. */
export function pageCount(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / Math.max(1, pageSize)));
}

/** A page number that exists for this count (after a bulk change or a delete the last page can vanish). */
export function clampPage(page: number, count: number, pageSize: number): number {
  return Math.min(Math.max(1, Math.floor(page)), pageCount(count, pageSize));
}

/** 'Page 2 of 2,000 · 100,000 users'; an estimated count reads 'Page 2 of about 20,000 · about 1,000,000 users'. */
export function pageSummary(page: number, count: number, pageSize: number, estimated = false): string {
  const n = (x: number) => `${estimated ? 'about ' : ''}${x.toLocaleString('en-US')}`;
  return `Page ${page.toLocaleString('en-US')} of ${n(pageCount(count, pageSize))} · ${userCount(count, estimated)}`;
}

/** '1 user', '100,000 users', 'about 1,000,000 users' (an estimate from the server). */
export function userCount(count: number, estimated = false): string {
  return `${estimated ? 'about ' : ''}${count.toLocaleString('en-US')} ${count === 1 && !estimated ? 'user' : 'users'}`;
}

export function hasFilters(q: UsersQuery): boolean {
  return (
    q.search.trim() !== '' ||
    q.is_staff !== undefined ||
    q.is_superuser !== undefined ||
    q.is_active !== undefined ||
    q.sign_in !== undefined ||
    q.never_signed_in !== undefined ||
    q.inactive_days !== undefined ||
    q.joined_before !== undefined
  );
}

/** The three-way filter selects: 'any' | 'yes' | 'no'. */
export type FilterChoice = 'any' | 'yes' | 'no';

export function filterChoice(v: boolean | undefined): FilterChoice {
  return v === undefined ? 'any' : v ? 'yes' : 'no';
}

export function filterValue(choice: string): boolean | undefined {
  return choice === 'yes' ? true : choice === 'no' ? false : undefined;
}

/** The sign-in filter's choice ('any' or a method), and back. */
export function signInValue(choice: string): SignInMethod | undefined {
  return (SIGN_IN_METHODS as readonly string[]).includes(choice) ? (choice as SignInMethod) : undefined;
}

/** "No sign-in for N days": a whole number from 1 to 36,500, else no filter. */
export function idleDaysValue(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= 36_500 ? n : undefined;
}

/** "Joined before": a real day as YYYY-MM-DD (what a date input gives), else no filter. */
export function joinedBeforeValue(text: string): string | undefined {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return undefined;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text) ? text : undefined;
}

/**
 * How a user signs in, as the Users list's Sign-in column says it: 'Password',
 * 'SSO via corp', 'Password + SSO via corp', an organization's IdP with its
 * organization ('SSO via okta (acme)'); null when the server does not say.
 */
export function signInText(s: SignIn | undefined): string | null {
  if (!s) return null;
  const idps = [...new Set(s.sso.map((x) => (x.idp === null ? 'a removed IdP' : x.organization ? `${x.idp} (${x.organization})` : x.idp)))];
  const sso = idps.length ? `SSO via ${idps.join(', ')}` : '';
  if (s.password) return sso ? `Password + ${sso}` : 'Password';
  return sso || 'No usable password, no SSO';
}

/**
 * Only the latest request's answer is applied. Typing "al", then "ali", sends
 * two requests; if the first answers last, showing it would put the wrong
 * rows under the right search box.
 */
export function createLatestGuard() {
  let latest = 0;
  return {
    /** Call when a request starts; keep the ticket. */
    begin(): number {
      latest += 1;
      return latest;
    },
    isLatest(ticket: number): boolean {
      return ticket === latest;
    },
  };
}
export type LatestGuard = ReturnType<typeof createLatestGuard>;

// ---- the query in the screen's address ------------------------------------------------

const FILTER_PARAMS: ReadonlyArray<[UserFilter, string]> = [
  ['is_staff', 'staff'],
  ['is_superuser', 'superuser'],
  ['is_active', 'active'],
  ['never_signed_in', 'never'],
];
const ORDERINGS = new Set<string>(USER_ORDERING_FIELDS.flatMap((f) => [f, `-${f}`]));

/** The query as the part of the address after `#/users?`: only what differs from the defaults, so a plain list is a plain `#/users`. */
export function queryToParams(q: UsersQuery): string {
  const p = new URLSearchParams();
  if (q.search.trim()) p.set('q', q.search.trim());
  for (const [name, param] of FILTER_PARAMS) if (q[name] !== undefined) p.set(param, q[name] ? 'yes' : 'no');
  if (q.sign_in) p.set('signin', q.sign_in);
  if (q.inactive_days !== undefined) p.set('idle', String(q.inactive_days));
  if (q.joined_before) p.set('joined', q.joined_before);
  if (q.ordering !== DEFAULT_QUERY.ordering) p.set('o', q.ordering);
  if (q.page !== 1) p.set('page', String(q.page));
  if (q.page_size !== DEFAULT_QUERY.page_size) p.set('size', String(q.page_size));
  return p.toString();
}

/** The query an address asks for; anything unreadable (a hand-edited address) falls back to the default for that part. */
export function paramsToQuery(params: string): UsersQuery {
  const p = new URLSearchParams(params);
  const q: UsersQuery = { ...DEFAULT_QUERY, search: (p.get('q') ?? '').slice(0, 150) };
  for (const [name, param] of FILTER_PARAMS) q[name] = filterValue(p.get(param) ?? '');
  q.sign_in = signInValue(p.get('signin') ?? '');
  q.inactive_days = idleDaysValue(p.get('idle') ?? '');
  q.joined_before = joinedBeforeValue(p.get('joined') ?? '');
  const o = p.get('o');
  if (o && ORDERINGS.has(o)) q.ordering = o as Ordering;
  const page = Number(p.get('page'));
  if (Number.isInteger(page) && page >= 1 && page <= 1_000_000) q.page = page;
  const size = Number(p.get('size'));
  if ((PAGE_SIZES as readonly number[]).includes(size)) q.page_size = size;
  return q;
}

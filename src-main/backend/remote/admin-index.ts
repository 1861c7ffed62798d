import { findForm } from './admin-forms.ts';
import type { AdminSession } from './admin-session.ts';
import { attr, findAll } from './html.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { usernameFieldOf } from './user-model.ts';

export interface SiteMap {
  /** The user model's change list, e.g. /admin/users/user/ (Graphistry's `users.User`), whatever its app and name. */
  users: URL;
  /** django-constance's settings page, when installed. */
  constance: URL | null;
  /** The user model's USERNAME_FIELD, as its add form asks for it (see user-model.ts). */
  usernameField: string;
  /** The organization model's change list and its membership model's, when the admin lists them (null: no organizations here). */
  organizations: { orgs: URL; members: URL | null } | null;
}

/** Membership models by the names such apps give them. */
const MEMBER_MODELS = new Set(['member', 'membership', 'organizationmember', 'organizationmembership', 'organizationuser', 'orgmember', 'orgmembership']);

/**
 * The organization model: the one named `organization`, else one whose name
 * says organization or org (not a membership model); its membership model
 * preferably of the same app. No names are assumed beyond these: Hub's own
 * models are not public.
 */
function organizationsOf(models: ReadonlyArray<{ url: URL; app: string; model: string }>): SiteMap['organizations'] {
  const rank = (model: string) => (model === 'organization' ? 0 : model.startsWith('organization') ? 1 : model.startsWith('org') ? 2 : 3);
  const org = models.filter((m) => !MEMBER_MODELS.has(m.model) && rank(m.model) < 3).sort((a, b) => rank(a.model) - rank(b.model))[0];
  if (!org) return null;
  const members = models.filter((m) => MEMBER_MODELS.has(m.model)).sort((a, b) => Number(b.app === org.app) - Number(a.app === org.app))[0];
  return { orgs: org.url, members: members?.url ?? null };
}

/** Likelier names first, so the usual case costs one probe. */
function score(model: string): number {
  if (model === 'user') return 0;
  if (model.includes('user')) return 1;
  return /account|member|person|profile|staff/.test(model) ? 2 : 3;
}

/**
 * The admin index links every registered model's change list as
 * `<admin><app_label>/<model_name>/`. The user model is the one whose add
 * form is Django's user creation form (`password1` and `password2`): no app
 * or model name is assumed, since a custom user model may have any.
 */
export async function discoverSite(session: AdminSession): Promise<SiteMap> {
  const { admin, http } = session;
  const index = await session.page(admin);
  if (index.status !== 200) throw failureForPage(index, http.host, 'show its index');
  const models = new Map<string, { url: URL; app: string; model: string }>();
  const pattern = new RegExp(`^${admin.pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([A-Za-z0-9_]+)/([A-Za-z0-9_]+)/$`);
  for (const a of findAll(index.html, (e) => e.tagName === 'a' && attr(e, 'href') !== null)) {
    const url = new URL(attr(a, 'href')!, index.url);
    const m = url.origin === http.origin ? pattern.exec(url.pathname) : null;
    if (m) models.set(url.pathname, { url: new URL(url.pathname, url), app: m[1]!, model: m[2]! });
  }
  const constance = [...models.values()].find((m) => m.app === 'constance')?.url ?? null;
  const candidates = [...models.values()]
    .filter((m) => m.app !== 'constance' && !(m.app === 'auth' && m.model === 'group'))
    .sort((a, b) => score(a.model) - score(b.model))
    .slice(0, 8);
  for (const c of candidates) {
    const add = await session.page(new URL('add/', c.url), admin);
    if (add.status !== 200) continue;
    const form = findForm(add.html, add.url.toString(), ['password1', 'password2']);
    if (form) return { users: c.url, constance, usernameField: usernameFieldOf(form), organizations: organizationsOf([...models.values()]) };
  }
  throw remoteErrors.noUserModel(http.host);
}

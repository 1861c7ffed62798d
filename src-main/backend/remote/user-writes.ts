import { ConsoleFailure, type ConsoleFieldIssue } from '../../../src-shared/console-errors.ts';
import type { BulkActiveResult, User } from '../../../src-shared/domain.ts';
import type { UserInput, UserPatch } from '../../contracts.ts';
import { findForm, formBody } from './admin-forms.ts';
import { formFailure } from './form-failure.ts';
import { find, hasClass, text } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { idFromChangeUrl, type ChangeForm } from './user-form.ts';

/**
 * Changing users through the admin's own forms, as an admin would in a
 * browser: each write reads its form first (for the CSRF token and every
 * field's current value) and posts it back whole.
 */
// Django puts the password rules' complaints on the confirmation field; they are about the password.
const NEW_USER_FIELDS = { password1: 'password', password2: 'password' };
const PASSWORD_FIELDS = { password1: 'password', password2: 'password' };

const redirected = (status: number) => status >= 300 && status < 400;

/**
 * Django's admin lets the last active superuser be demoted, deactivated or
 * deleted; the console does not, with the bundled server's code and words.
 * (Django takes no lock for this: two admins demoting each other at the same
 * instant could still both succeed.)
 */
async function isLastActiveSuperuser(ctx: RemoteContext, id: number): Promise<boolean> {
  const page = await ctx.changeList(new URLSearchParams({ is_superuser__exact: '1', is_active__exact: '1' }));
  return page?.count === 1 && page.rows[0]?.id === id;
}

/**
 * Usernames are told apart without case, as on the bundled server (and as
 * Django's own user creation form does from 4.2 on): asked before the write,
 * so the refusal is the same CONFLICT the bundled server gives.
 */
async function refuseTakenUsername(ctx: RemoteContext, username: string, self?: number): Promise<void> {
  const page = await ctx.changeList(new URLSearchParams({ username__iexact: username }));
  if (page?.rows.some((r) => r.id !== self)) throw remoteErrors.usernameTaken();
}

export async function updateUser(ctx: RemoteContext, id: number, patch: UserPatch): Promise<User> {
  await saveChanges(ctx, id, await ctx.changeForm(id), patch);
  return ctx.getUser(id);
}

/** Post a user's change form back with `patch` applied, after the console's own checks (a taken username, the last superuser). */
async function saveChanges(ctx: RemoteContext, id: number, { user, form }: ChangeForm, patch: UserPatch): Promise<void> {
  if (patch.username !== undefined && patch.username.toLowerCase() !== user.username.toLowerCase()) await refuseTakenUsername(ctx, patch.username, id);
  const demotes = user.is_superuser && user.is_active && (patch.is_superuser === false || patch.is_active === false);
  if (demotes && (await isLastActiveSuperuser(ctx, id))) {
    const fields: ConsoleFieldIssue[] = [];
    if (patch.is_superuser === false) fields.push({ field: 'is_superuser', message: 'is the last active superuser' });
    if (patch.is_active === false) fields.push({ field: 'is_active', message: 'is the last active superuser' });
    throw remoteErrors.lastSuperuser(false, fields);
  }
  const changes: Record<string, string | boolean> = {};
  if (patch.username !== undefined) changes.username = patch.username;
  if (patch.email !== undefined) changes.email = patch.email ?? '';
  for (const f of ['is_active', 'is_staff', 'is_superuser'] as const) if (patch[f] !== undefined) changes[f] = patch[f];
  const page = new URL(`${id}/change/`, (await ctx.site()).users);
  const answer = await ctx.session.post(new URL(form.action), formBody(form, changes, '_continue'), page);
  if (answer.status === 200) throw formFailure(answer.html);
  if (!redirected(answer.status)) throw failureForPage(answer, ctx.host, `change user ${id}`);
}

/** Failures that are about the connection, not the user: the users after it would only wait for the same one. */
const CONNECTION_FAILURES = new Set(['UNREACHABLE', 'TLS', 'UNAUTHORIZED', 'NOT_CONNECTED']);

/**
 * Bulk activate or deactivate, one user at a time as the admin site saves
 * them: each user's change form is read, and posted back only when it is not
 * so already, through the same checks as `updateUser` (the last superuser).
 * A user's failure goes to `failed` and the rest go on. `each` runs one
 * user's step in the admin session (signing in again if it has ended), so a
 * retry repeats that user's step only.
 */
export async function setUsersActive(each: <T>(op: (ctx: RemoteContext) => Promise<T>) => Promise<T>, ids: readonly number[], active: boolean): Promise<BulkActiveResult> {
  const result: BulkActiveResult = { changed: [], unchanged: [], failed: [] };
  let stopped: ConsoleFailure | null = null;
  for (const id of ids) {
    if (stopped) {
      result.failed.push({ id, code: stopped.error.serverCode ?? stopped.error.code, message: stopped.error.message });
      continue;
    }
    let posted = false;
    try {
      const outcome = await each(async (ctx) => {
        const current = await ctx.changeForm(id);
        // A retry after the session ended between the post and the read-back finds the user so already: still a change.
        if (current.user.is_active === active) return { user: current.user, changed: posted };
        await saveChanges(ctx, id, current, { is_active: active });
        posted = true;
        return { user: await ctx.getUser(id), changed: true };
      });
      (outcome.changed ? result.changed : result.unchanged).push(outcome.user);
    } catch (e) {
      if (!(e instanceof ConsoleFailure)) throw e;
      result.failed.push({ id, code: e.error.serverCode ?? e.error.code, message: e.error.message });
      if (CONNECTION_FAILURES.has(e.error.code)) stopped = e;
    }
  }
  return result;
}

/** Django's two steps: the add form (username and password), then "Save and continue editing" on to the change form for the rest. */
export async function createUser(ctx: RemoteContext, input: UserInput): Promise<User> {
  await refuseTakenUsername(ctx, input.username);
  const addUrl = new URL('add/', (await ctx.site()).users);
  const page = await ctx.session.page(addUrl, (await ctx.site()).users);
  const form = page.status === 200 ? findForm(page.html, page.url.toString(), ['password1', 'password2']) : null;
  if (!form) throw page.status === 200 ? remoteErrors.unexpected(ctx.host, 'its add-user form') : failureForPage(page, ctx.host, 'add users');
  const values: Record<string, string | boolean> = { username: input.username, password1: input.password, password2: input.password };
  // An add form that also asks for email (some user admins do) gets it here; the change form takes the rest.
  if (form.names.has('email') && input.email) values.email = input.email;
  const answer = await ctx.session.post(new URL(form.action), formBody(form, values, form.submits.has('_continue') ? '_continue' : '_save'), addUrl);
  if (answer.status === 200) throw formFailure(answer.html, NEW_USER_FIELDS);
  const id = redirected(answer.status) && answer.location ? idFromChangeUrl(answer.location) : null;
  if (id === null) throw failureForPage(answer, ctx.host, 'add a user');
  const rest: UserPatch = {};
  if (input.email && !form.names.has('email')) rest.email = input.email;
  for (const f of ['is_active', 'is_staff', 'is_superuser'] as const) if (input[f] !== undefined) rest[f] = input[f];
  return Object.keys(rest).length ? updateUser(ctx, id, rest) : ctx.getUser(id);
}

export async function setPassword(ctx: RemoteContext, id: number, password: string): Promise<User> {
  const url = new URL(`${id}/password/`, (await ctx.site()).users);
  const page = await ctx.session.page(url, new URL(`${id}/change/`, url));
  if (page.status === 404 || (page.status === 200 && page.url.pathname !== url.pathname)) throw remoteErrors.userNotFound(id);
  const form = page.status === 200 ? findForm(page.html, page.url.toString(), ['password1', 'password2']) : null;
  if (!form) throw failureForPage(page, ctx.host, `set the password of user ${id}`);
  const answer = await ctx.session.post(new URL(form.action), formBody(form, { password1: password, password2: password }), url);
  if (answer.status === 200) throw formFailure(answer.html, PASSWORD_FIELDS);
  if (!redirected(answer.status)) throw failureForPage(answer, ctx.host, `set the password of user ${id}`);
  return ctx.getUser(id);
}

/** Through the confirmation page, as Django asks: its form posts `post=yes`. */
export async function deleteUser(ctx: RemoteContext, id: number): Promise<void> {
  if (await isLastActiveSuperuser(ctx, id)) throw remoteErrors.lastSuperuser(true);
  const url = new URL(`${id}/delete/`, (await ctx.site()).users);
  const page = await ctx.session.page(url, new URL(`${id}/change/`, url));
  if (page.status === 404 || (page.status === 200 && page.url.pathname !== url.pathname)) throw remoteErrors.userNotFound(id);
  const root = page.status === 200 ? page.html : null;
  const form = root ? findForm(root, page.url.toString(), ['post']) : null;
  if (!form || !root) {
    // Django shows the objects that block the deletion (protected relations, or ones this account may not delete) instead of the form.
    const why = root ? find(root, (e) => e.tagName === 'div' && hasClass(e, 'delete-confirmation')) : null;
    if (why) throw remoteErrors.unexpected(ctx.host, `delete user ${id}: ${text(why).slice(0, 200)}`);
    throw failureForPage(page, ctx.host, `delete user ${id}`);
  }
  const answer = await ctx.session.post(new URL(form.action), formBody(form, {}), url);
  if (!redirected(answer.status)) throw failureForPage(answer, ctx.host, `delete user ${id}`);
}

import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { lastSuperuserFields } from '../../../src-shared/user-schemas.ts';
import type { BulkActiveResult, User } from '../../../src-shared/domain.ts';
import type { UserInput, UserPatch } from '../../contracts.ts';
import { findForm, formBody, guessedFields } from './admin-forms.ts';
import { formFailure } from './form-failure.ts';
import { find, hasClass, text } from './html.ts';
import type { RemoteContext } from './remote-context.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';
import { modelName, USER_FLAGS, type ChangeForm, type FieldState, type UserField } from './user-form.ts';
import { pkFromChangePath } from './user-ids.ts';
import { labelOf } from './user-model.ts';

/**
 * Changing users through the admin's own forms, as an admin would in a
 * browser: each write reads its form first (for the CSRF token and every
 * field's current value) and posts it back whole. A write changes exactly
 * the fields asked for, or is refused before anything is sent: a field the
 * form shows read-only (or not at all), or a field whose value the page does
 * not show (posting it back would overwrite it with a guess), is named in
 * the refusal.
 */
// Django puts the password rules' complaints on the confirmation field; they are about the password.
const NEW_USER_FIELDS = { password1: 'password', password2: 'password' };
const PASSWORD_FIELDS = { password1: 'password', password2: 'password' };
/** What Django's AbstractUser gives a new user when its add form does not say. */
const NEW_USER_DEFAULTS = { is_active: true, is_staff: false, is_superuser: false } as const;

const redirected = (status: number) => status >= 300 && status < 400;
const whyNot = (state: FieldState) => (state === 'read_only' ? 'it is read-only on its user form' : 'it is not on its user form');

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

/**
 * The console's patch as the change form's fields, only what differs from
 * the user as read: `username` is the model's USERNAME_FIELD, and where that
 * is the email, the email and the username are one field.
 */
type Written = Partial<Record<UserField, string | boolean>>;

function fieldChanges(ctx: RemoteContext, usernameField: string, current: User, patch: UserPatch): Written {
  const out: Written = {};
  let username = patch.username;
  if (usernameField === 'email' && patch.email !== undefined && patch.email !== (username ?? current.username)) {
    if (username !== undefined || patch.email === null) throw remoteErrors.emailIsUsername(ctx.host);
    username = patch.email;
  }
  if (username !== undefined && username !== current.username) out.username = username;
  if (usernameField !== 'email' && patch.email !== undefined && (patch.email ?? null) !== current.email) out.email = patch.email ?? '';
  for (const f of USER_FLAGS) if (patch[f] !== undefined && patch[f] !== current[f]) out[f] = patch[f];
  return out;
}

/**
 * Post a user's change form back with `patch` applied, after the console's
 * own checks: fields the form cannot take, fields it would overwrite with a
 * guess, a taken username, the last superuser. Returns what it wrote.
 */
async function saveChanges(ctx: RemoteContext, f: ChangeForm, current: User, patch: UserPatch): Promise<Written> {
  const { usernameField } = await ctx.site();
  const changes = fieldChanges(ctx, usernameField, current, patch);
  const fields = Object.keys(changes) as UserField[];
  if (!fields.length) return changes;
  const who = `user "${current.username}"`;
  const closed = fields.filter((x) => f.states[x] !== 'editable');
  if (closed.length)
    throw remoteErrors.readOnlyField(
      ctx.host,
      who,
      closed.map((x) => ({ field: x, label: labelOf(x), why: whyNot(f.states[x]) })),
    );
  const body: Record<string, string | boolean> = {};
  for (const x of fields) body[modelName(x, usernameField)] = changes[x]!;
  const guessed = guessedFields(f.form, body);
  if (guessed.length) throw remoteErrors.unreadableField(ctx.host, who, guessed);
  if (typeof changes.username === 'string' && changes.username.toLowerCase() !== current.username.toLowerCase())
    await refuseTakenUsername(ctx, changes.username, f.id);
  const demotes = current.is_superuser && current.is_active && (changes.is_superuser === false || changes.is_active === false);
  // The bundled server's rule and words, with its fields named the same way (Django itself has no such rule).
  if (demotes && (await isLastActiveSuperuser(ctx, f.id)))
    throw remoteErrors.lastSuperuser(
      false,
      lastSuperuserFields({ is_superuser: changes.is_superuser === false ? false : undefined, is_active: changes.is_active === false ? false : undefined }),
    );
  const page = await ctx.userUrl(f.id, 'change');
  const answer = await ctx.session.post(new URL(f.form.action), formBody(f.form, body, '_continue'), page);
  if (answer.status === 200) throw formFailure(answer.html);
  if (!redirected(answer.status)) throw failureForPage(answer, ctx.host, `change user ${f.id}`);
  return changes;
}

/** The user read back after a save: each field written must read as asked, or the admin site did not keep it. */
function checkSaved(ctx: RemoteContext, after: User, written: Written): User {
  const lost = (Object.keys(written) as UserField[]).filter((x) => after[x] !== (x === 'email' && written[x] === '' ? null : written[x]));
  if (lost.length)
    throw remoteErrors.notSaved(
      ctx.host,
      `user "${after.username}"`,
      lost.map((x) => ({ field: x, label: labelOf(x) })),
    );
  return after;
}

export async function updateUser(ctx: RemoteContext, id: number, patch: UserPatch): Promise<User> {
  const f = await ctx.changeForm(id);
  const written = await saveChanges(ctx, f, await ctx.userOf(f), patch);
  return checkSaved(ctx, await ctx.getUser(id), written);
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
export async function setUsersActive(
  each: <T>(op: (ctx: RemoteContext) => Promise<T>) => Promise<T>,
  ids: readonly number[],
  active: boolean,
): Promise<BulkActiveResult> {
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
        const f = await ctx.changeForm(id);
        const current = await ctx.userOf(f);
        // A retry after the session ended between the post and the read-back finds the user so already: still a change.
        if (current.is_active === active) return { user: current, changed: posted };
        await saveChanges(ctx, f, current, { is_active: active });
        posted = true;
        const after = await ctx.getUser(id);
        return { user: checkSaved(ctx, after, { is_active: active }), changed: true };
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

/**
 * What a new user needs that the add form cannot take, refused before the
 * user is made: a flag other than Django's default where the change form
 * cannot set it, an email where the email is the username and differs.
 */
async function refuseUnwritable(ctx: RemoteContext, input: UserInput, addHasEmail: boolean): Promise<void> {
  const model = await ctx.model();
  if (model.usernameField === 'email' && input.email && input.email !== input.username) throw remoteErrors.emailIsUsername(ctx.host);
  const closed: UserField[] = USER_FLAGS.filter((f) => input[f] !== undefined && input[f] !== NEW_USER_DEFAULTS[f] && model.states[f] !== 'editable');
  if (input.email && model.usernameField !== 'email' && !addHasEmail && model.states.email !== 'editable') closed.push('email');
  if (closed.length)
    throw remoteErrors.readOnlyField(
      ctx.host,
      `the new user "${input.username}"`,
      closed.map((x) => ({ field: x, label: labelOf(x), why: whyNot(model.states[x]) })),
    );
}

/**
 * Django's two steps: the add form (username and password), then "Save and
 * continue editing" on to the change form for the rest. Everything that can
 * be refused is refused before the first step; if the second still fails,
 * the user exists, and the failure says so with its id (USER_INCOMPLETE) so
 * the console can offer to finish or delete it. `made` survives a sign-in
 * again between the two steps, so a retry does not add the user twice.
 */
export async function createUser(ctx: RemoteContext, input: UserInput, made: { id: number | null } = { id: null }): Promise<User> {
  const { users, usernameField } = await ctx.site();
  const addUrl = new URL('add/', users);
  if (made.id === null) {
    const page = await ctx.session.page(addUrl, users);
    const form = page.status === 200 ? findForm(page.html, page.url.toString(), ['password1', 'password2']) : null;
    if (!form) throw page.status === 200 ? remoteErrors.unexpected(ctx.host, 'its add-user form') : failureForPage(page, ctx.host, 'add users');
    const addHasEmail = usernameField !== 'email' && form.names.has('email');
    await refuseUnwritable(ctx, input, addHasEmail);
    await refuseTakenUsername(ctx, input.username);
    const values: Record<string, string | boolean> = { [usernameField]: input.username, password1: input.password, password2: input.password };
    // An add form that also asks for email (some user admins do) gets it here; the change form takes the rest.
    if (addHasEmail && input.email) values.email = input.email;
    const guessed = guessedFields(form, values);
    if (guessed.length) throw remoteErrors.unreadableField(ctx.host, 'a new user', guessed);
    const answer = await ctx.session.post(new URL(form.action), formBody(form, values, form.submits.has('_continue') ? '_continue' : '_save'), addUrl);
    if (answer.status === 200) throw formFailure(answer.html, NEW_USER_FIELDS);
    const pk = redirected(answer.status) && answer.location ? pkFromChangePath(answer.location.pathname) : null;
    if (pk === null) throw failureForPage(answer, ctx.host, 'add a user');
    made.id = ctx.ids.idOf(pk);
  }
  const id = made.id;
  const rest: UserPatch = {};
  if (input.email && usernameField !== 'email') rest.email = input.email;
  for (const f of USER_FLAGS) if (input[f] !== undefined) rest[f] = input[f];
  const missing = (Object.keys(rest) as UserField[]).map((x) => ({ field: x, label: labelOf(x) }));
  let after: User;
  try {
    after = Object.keys(rest).length ? await updateUser(ctx, id, rest) : await ctx.getUser(id);
  } catch (e) {
    if (!(e instanceof ConsoleFailure) || !missing.length) throw e;
    throw remoteErrors.userIncomplete(id, input.username, missing, e.error.message);
  }
  // Read back against what was asked: a flag the server set otherwise (a default of its own) is a half-made user too.
  const wrong = USER_FLAGS.filter((f) => input[f] !== undefined && after[f] !== input[f]).map((x) => ({ field: x, label: labelOf(x) }));
  if (wrong.length) throw remoteErrors.userIncomplete(id, input.username, wrong, 'the admin site saved the new user otherwise.');
  return after;
}

export async function setPassword(ctx: RemoteContext, id: number, password: string): Promise<User> {
  const url = await ctx.userUrl(id, 'password');
  const page = await ctx.session.page(url, await ctx.userUrl(id, 'change'));
  if (page.status === 404 || (page.status === 200 && page.url.pathname !== url.pathname)) throw remoteErrors.userNotFound(id);
  const form = page.status === 200 ? findForm(page.html, page.url.toString(), ['password1', 'password2']) : null;
  if (!form) throw failureForPage(page, ctx.host, `set the password of user ${id}`);
  const values = { password1: password, password2: password };
  const guessed = guessedFields(form, values);
  if (guessed.length) throw remoteErrors.unreadableField(ctx.host, `the password of user ${id}`, guessed);
  const answer = await ctx.session.post(new URL(form.action), formBody(form, values), url);
  if (answer.status === 200) throw formFailure(answer.html, PASSWORD_FIELDS);
  if (!redirected(answer.status)) throw failureForPage(answer, ctx.host, `set the password of user ${id}`);
  return ctx.getUser(id);
}

/** Through the confirmation page, as Django asks: its form posts `post=yes`. */
export async function deleteUser(ctx: RemoteContext, id: number): Promise<void> {
  const url = await ctx.userUrl(id, 'delete');
  if (await isLastActiveSuperuser(ctx, id)) throw remoteErrors.lastSuperuser(true);
  const page = await ctx.session.page(url, await ctx.userUrl(id, 'change'));
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

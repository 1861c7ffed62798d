import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { describePasswordRules } from '../lib/password-policy.ts';
import type { NewPersonalKey, User } from '../../src-shared/domain.ts';
import type { OrgRole } from '../../src-shared/org-schemas.ts';
import { invitationPath } from '../invitations/invitations-view.ts';
import { toUser } from '../users/users-repo.ts';
import { html, when, type SafeHtml } from './html.ts';
import { csrfInput, field, layout, notice } from './layout.ts';
import { passwordChangeUrl, safeNext } from './safe-next.ts';
import { formText, formValue } from './form.ts';
import type { PageContext } from './page-context.ts';
import type { Flash } from './flash.ts';
import { pageActor } from './signed-in.ts';
import { ssoButtons } from './sso-pages.ts';
import { bool } from '../db/schema.ts';

const text = formText;

function rules(minLength: number): SafeHtml {
  return html`<ul class="rules" id="password-rules">${describePasswordRules(minLength).map((r) => html`<li>${r}</li>`)}</ul>`;
}

/** The field an AppError concerns, for showing the message next to it. */
function fieldErrors(e: AppError): Record<string, string> {
  return Object.fromEntries((e.fields ?? []).map((f) => [f.field, f.message]));
}

interface AccountForm {
  username: string;
  email: string;
  error?: AppError | null;
}

const ACCOUNT_FIELDS = ['username', 'email', 'password', 'password2', 'setup_token'] as const;

function accountFields(ctx: PageContext, form: AccountForm, opts: { setupToken?: boolean } = {}): SafeHtml {
  const errors = form.error ? fieldErrors(form.error) : {};
  // The cursor starts where there is something to fix (the first field with an error), else at the top.
  const focus =
    ACCOUNT_FIELDS.find((f) => errors[f] && (f !== 'setup_token' || opts.setupToken)) ??
    (form.error?.code === 'SETUP_TOKEN_REQUIRED' && opts.setupToken ? 'setup_token' : 'username');
  return html`${field({ name: 'username', label: 'Username', value: form.username, autocomplete: 'username', required: true, autofocus: focus === 'username', maxlength: 150, hint: 'Letters, digits and @ . + - _ only.', error: errors.username })}
${field({ name: 'email', label: 'Email', type: 'email', value: form.email, autocomplete: 'email', maxlength: 254, error: errors.email, autofocus: focus === 'email' })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, hint: rules(ctx.s.config.passwordMinLength), error: errors.password, autofocus: focus === 'password' })}
${field({ name: 'password2', label: 'Password again', type: 'password', autocomplete: 'new-password', required: true, error: errors.password2, autofocus: focus === 'password2' })}
${opts.setupToken ? field({ name: 'setup_token', label: 'Setup token', type: 'password', required: true, autocomplete: 'off', hint: 'Printed by whoever started this server (serve --setup-token).', error: errors.setup_token, autofocus: focus === 'setup_token' }) : ''}`;
}

function readAccountForm(request: FastifyRequest): { username: string; email: string; password: string; password2: string } {
  return {
    username: text(request, 'username').trim(),
    email: text(request, 'email').trim(),
    password: text(request, 'password'),
    password2: text(request, 'password2'),
  };
}

function mismatch(): AppError {
  return new AppError('VALIDATION', 'The two passwords do not match.', { fields: [{ field: 'password2', message: 'The two passwords do not match.' }] });
}

export function accountPages(app: FastifyInstance, ctx: PageContext): void {
  const { s } = ctx;
  const tags = ['pages'];

  /** After sign-up or invitation: a session, the new key shown once on the dashboard. */
  async function landOnDashboard(
    request: FastifyRequest,
    reply: FastifyReply,
    user: User,
    key: NewPersonalKey,
    welcome: 'first_admin' | 'signup' | 'invitation',
    also?: Flash,
  ) {
    const row = (await s.usersRepo.byId(s.db.read, user.id))!;
    const session = await ctx.startSession(request, reply, row);
    const item: Flash = { type: 'key', id: key.id, secret: key.secret, name: key.key.name, authorization: key.authorization, welcome };
    ctx.flash.push(session.idHash, item);
    if (also) ctx.flash.push(session.idHash, also);
    return reply.redirect('/dashboard/', 303);
  }

  async function signupPage(request: FastifyRequest, reply: FastifyReply, status: number, form: AccountForm) {
    const state = await s.signup.state();
    const csrf = ctx.anonymousCsrf(request, reply);
    let body: SafeHtml;
    if (!state.signups_open) {
      body = html`<div class="card"><h1>Sign-up is closed</h1>
<p>This installation is invite-only. Ask an administrator for an account or an invitation link.</p>
<div class="actions"><a class="button" href="/accounts/login/">Sign in</a></div></div>`;
      return ctx.send(reply, status === 200 ? 200 : status, layout({ title: 'Sign-up closed', narrow: true, body }));
    }
    const intro = state.has_users
      ? html`<h1>Create your account</h1><p class="lead">Sign-up is open on this installation.</p>`
      : html`<h1>Create the administrator</h1>
${notice('warn', html`<p><strong>No accounts exist yet.</strong> The account you create now becomes the administrator (<strong>superuser + staff</strong>).</p><p>Right after, sign-up closes and the installation becomes invite-only.</p>`)}`;
    body = html`<div class="card">${intro}
${form.error && !form.error.fields?.length ? notice('error', form.error.message) : ''}
<form method="post" action="/accounts/signup/" novalidate>
${csrfInput(csrf)}
${accountFields(ctx, form, { setupToken: state.first_signup_needs_setup_token })}
<div class="actions"><button type="submit">${state.has_users ? 'Create account' : 'Create administrator'}</button>
<a href="/accounts/login/">I already have an account</a></div>
</form></div>`;
    return ctx.send(reply, status, layout({ title: state.has_users ? 'Sign up' : 'Create the administrator', narrow: true, body }));
  }

  app.get('/accounts/signup/', { schema: { summary: 'Sign-up page', tags } }, async (request, reply) =>
    signupPage(request, reply, 200, { username: '', email: '' }),
  );

  app.post('/accounts/signup/', { schema: { summary: 'Sign-up form', tags } }, async (request, reply) => {
    if (!ctx.checkCsrf(request, reply, null)) return reply;
    const f = readAccountForm(request);
    try {
      if (f.password !== f.password2) throw mismatch();
      const result = await s.signup.signup(
        { username: f.username, password: f.password, email: f.email || null, setup_token: text(request, 'setup_token') || undefined },
        request.ip,
      );
      return await landOnDashboard(request, reply, result.user, result.key, result.first ? 'first_admin' : 'signup');
    } catch (e) {
      if (!isAppError(e)) throw e;
      return signupPage(request, reply, e.status, { username: f.username, email: f.email, error: e });
    }
  });

  async function loginPage(request: FastifyRequest, reply: FastifyReply, status: number, opts: { username?: string; error?: string; next?: string } = {}) {
    const csrf = ctx.anonymousCsrf(request, reply);
    const state = await s.signup.state();
    // Offered only when it can work: an empty server (its administrator) or open sign-up.
    const create = !state.has_users
      ? html`<a href="/accounts/signup/">Create the administrator</a>`
      : state.signups_open
        ? html`<a href="/accounts/signup/">Create an account</a>`
        : '';
    // After a refusal the name is still right most of the time: the password is what to type again.
    const focusPassword = Boolean(opts.error && opts.username);
    const next = safeNext(opts.next ?? (request.query as Record<string, unknown>).next);
    const sso = await ssoButtons(ctx, next);
    const body = html`<div class="card"><h1>Sign in</h1>
${opts.error ? notice('error', opts.error) : ''}
<form method="post" action="/accounts/login/">
${csrfInput(csrf)}
<input type="hidden" name="next" value="${next}">
${field({ name: 'username', label: 'Username or email', value: opts.username ?? '', autocomplete: 'username', required: true, autofocus: !focusPassword, maxlength: 254 })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, autofocus: focusPassword })}
<div class="actions"><button type="submit">Sign in</button>${create}</div>
</form>${sso}</div>`;
    return ctx.send(reply, status, layout({ title: 'Sign in', narrow: true, body }));
  }

  app.get('/accounts/login/', { schema: { summary: 'Sign-in page', tags } }, async (request, reply) => {
    const session = await ctx.session(request);
    if (session) return reply.redirect(safeNext((request.query as Record<string, unknown>).next), 302);
    return loginPage(request, reply, 200);
  });

  app.post('/accounts/login/', { schema: { summary: 'Sign-in form', tags } }, async (request, reply) => {
    if (!ctx.checkCsrf(request, reply, null)) return reply;
    const username = text(request, 'username').trim();
    const next = safeNext(formValue(request, 'next'));
    try {
      const { user } = await s.tokens.passwordLogin(username, text(request, 'password'), request.ip, { page: true });
      await ctx.startSession(request, reply, user);
      // An administrator asked for a new password: that page first, then where they were going.
      return reply.redirect(bool(user.must_change_password) ? passwordChangeUrl(next) : next, 303);
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.headers) reply.headers(e.headers);
      return loginPage(request, reply, e.status, { username, error: e.message, next });
    }
  });

  app.post('/accounts/logout/', { schema: { summary: 'Sign out (ends the session on the server)', tags } }, async (request, reply) => {
    const session = await ctx.session(request);
    if (session && !ctx.checkCsrf(request, reply, session)) return reply;
    await ctx.endSession(request, reply);
    return reply.redirect('/accounts/login/', 303);
  });

  invitationPages(app, ctx, landOnDashboard);
}

type Land = (request: FastifyRequest, reply: FastifyReply, user: User, key: NewPersonalKey, welcome: 'invitation', also?: Flash) => Promise<FastifyReply>;

const roleWords = (role: OrgRole | null) => (role === 'admin' ? 'an admin' : 'a member');

function invitationPages(app: FastifyInstance, ctx: PageContext, land: Land): void {
  const { s } = ctx;
  const REFUSALS: Record<string, [number, string, string]> = {
    used: [410, 'Invitation already used', 'This invitation link has already been used to create an account. Each link works once.'],
    expired: [410, 'Invitation expired', 'This invitation link has expired. Ask an administrator for a new one.'],
    revoked: [410, 'Invitation revoked', 'This invitation link was withdrawn by an administrator.'],
    unknown: [404, 'Invitation not found', 'This invitation link is not valid. Check that you copied all of it.'],
  };

  async function invitePage(request: FastifyRequest, reply: FastifyReply, token: string, status: number, form: AccountForm) {
    const { status: state, invitation, organization, role } = await s.invitations.inspect(token);
    if (state !== 'valid' || !invitation) {
      const [code, title, message] = REFUSALS[state] ?? REFUSALS.unknown!;
      return ctx.errorPage(reply, code, title, message);
    }
    reply.header('referrer-policy', 'no-referrer'); // the URL itself is the secret
    // An organization's link asks someone signed in to join with the account they have.
    const session = organization ? await ctx.session(request) : null;
    if (organization && session) {
      const body = html`<div class="card"><h1>Join ${organization.name} as ${role}?</h1>
<p class="lead">You are invited into <code class="inline">${organization.slug}</code> as ${roleWords(role)}. This link works once and expires ${when(invitation.expires_at)}.</p>
${form.error ? notice('error', form.error.message) : ''}
<form method="post" action="/accounts/invite/${token}/join">
${csrfInput(session.csrf)}
<div class="actions"><button type="submit">Join</button><a href="/dashboard/">Not now</a></div>
</form>
<p class="hint">You join as <strong>${session.user.username}</strong>. To join with another account, sign out and open the link again.</p></div>`;
      return ctx.send(reply, status, layout({ title: `Join ${organization.name}`, user: toUser(session.user), csrf: session.csrf, narrow: true, body }));
    }
    const csrf = ctx.anonymousCsrf(request, reply);
    const intro = organization
      ? html`<h1>Join ${organization.name}</h1>
<p class="lead">Make an account to join <code class="inline">${organization.slug}</code> as ${roleWords(role)}. This link works once and expires ${when(invitation.expires_at)}.</p>`
      : html`<h1>You are invited</h1>
<p class="lead">Choose a username and password for your account${invitation.grant_staff ? html` (with <strong>staff</strong> access: notebooks and investigations)` : ''}. This link works once and expires ${when(invitation.expires_at)}.</p>`;
    const body = html`<div class="card">${intro}
${form.error && !form.error.fields?.length ? notice('error', form.error.message) : ''}
<form method="post" action="/accounts/invite/${token}/" novalidate>
${csrfInput(csrf)}
${accountFields(ctx, form)}
<div class="actions"><button type="submit">Create account</button></div>
</form>
${organization ? html`<p class="hint">Already have an account? <a href="/accounts/login/?next=${encodeURIComponent(safeNext(invitationPath(token)))}">Sign in</a> to join with it.</p>` : ''}</div>`;
    return ctx.send(reply, status, layout({ title: organization ? `Join ${organization.name}` : 'Accept invitation', narrow: true, body }));
  }

  const tokenOf = (request: FastifyRequest) => String((request.params as { token: string }).token).slice(0, 200);

  app.get('/accounts/invite/:token/', { schema: { summary: 'Invitation page', tags: ['pages'] } }, async (request, reply) =>
    invitePage(request, reply, tokenOf(request), 200, { username: '', email: '' }),
  );

  app.post('/accounts/invite/:token/', { schema: { summary: 'Accept an invitation', tags: ['pages'] } }, async (request, reply) => {
    if (!ctx.checkCsrf(request, reply, null)) return reply;
    const token = tokenOf(request);
    const f = readAccountForm(request);
    try {
      if (f.password !== f.password2) throw mismatch();
      const result = await s.invitations.accept(token, { username: f.username, password: f.password, email: f.email || null }, request.ip);
      const org = result.organization;
      const joined: Flash | undefined = org ? { type: 'message', kind: 'ok', text: `You joined “${org.name}” as ${roleWords(org.role)}.` } : undefined;
      return await land(request, reply, result.user, result.key, 'invitation', joined);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return invitePage(request, reply, token, e.status, { username: f.username, email: f.email, error: e });
    }
  });

  // Signed in, an organization's link joins the account: claimed once, the membership made with it (orgs/org-invitations-service.ts).
  app.post(
    '/accounts/invite/:token/join',
    { schema: { summary: 'Join an organization with an invitation, signed in', tags: ['pages'] } },
    async (request, reply) => {
      const token = tokenOf(request);
      const session = await ctx.session(request);
      // Signed out meanwhile: back to the link, which offers sign-in and sign-up.
      if (!session) return reply.redirect(invitationPath(encodeURIComponent(token)), 303);
      if (!ctx.checkCsrf(request, reply, session)) return reply;
      try {
        const org = await s.orgInvitations.join(pageActor(request, session), token, request.ip);
        ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text: `You joined “${org.name}” as ${roleWords(org.role)}.` });
        return reply.redirect(`/dashboard/organizations/${encodeURIComponent(org.slug)}/`, 303);
      } catch (e) {
        if (!isAppError(e)) throw e;
        return invitePage(request, reply, token, e.status, { username: '', email: '', error: e });
      }
    },
  );
}

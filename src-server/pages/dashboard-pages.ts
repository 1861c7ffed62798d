import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { bool } from '../db/schema.ts';
import { toUser } from '../users/users-repo.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import { html, when, type SafeHtml } from './html.ts';
import { csrfInput, field, layout, notice, secretBox } from './layout.ts';
import { formText } from './form.ts';
import type { PageContext } from './page-context.ts';
import type { Flash } from './flash.ts';
import { pageActor, pageNumberOf, requireSession } from './signed-in.ts';
import { orgInvitationNotice } from './org-page-parts.ts';

const text = formText;

/** Keys per dashboard page: the list is paged, since a user may hold many revoked and expired keys besides the usable ones. */
export const DASHBOARD_KEYS_PAGE_SIZE = 25;

/** "Keys 26–50 of 120" with links to the pages either side (only when there is more than one page). */
function keysPager(page: number, pageSize: number, count: number): SafeHtml | string {
  const pages = Math.ceil(count / pageSize);
  if (pages <= 1) return '';
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(count, page * pageSize);
  const link = (to: number, label: string) => html`<a class="button secondary small" href="/dashboard/?page=${to}#keys-h">${label}</a>`;
  const n = (x: number) => x.toLocaleString('en-US');
  return html`<nav class="actions" aria-label="Pages of keys"><span class="muted">Keys ${n(first)}–${n(last)} of ${n(count)}</span>
${page > 1 ? link(page - 1, 'Previous page') : ''}${page < pages ? link(page + 1, 'Next page') : ''}</nav>`;
}

const EXPIRY_CHOICES: Array<[string, string]> = [
  ['', 'Never'],
  ['7', '7 days'],
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '1 year'],
];

/** The roles held, and only those: a role not held is not shown at all (a struck-through one read as "revoked"). */
function roleBadges(session: ActiveSession): SafeHtml {
  const u = session.user;
  const held = [bool(u.is_superuser) ? 'superuser' : '', bool(u.is_staff) ? 'staff' : ''].filter(Boolean);
  const badges = held.length ? held : ['member'];
  return html`<div class="badges" aria-label="Your roles">${badges.map((b) => html`<span class="badge on">${b}</span>`)}</div>`;
}

function flashBlock(items: Flash[]): SafeHtml {
  return html`${items.map((f, i) => {
    if (f.type === 'message') return notice(f.kind, f.text);
    // A link made on an organization's page, when the dashboard is the next page opened.
    if (f.type === 'org_invitation') return orgInvitationNotice(f, i);
    if (f.type === 'jwt') {
      return notice(
        'ok',
        html`<p><strong>Your JWT</strong>, valid until ${when(f.expiresAt)}. Send it as <code class="inline">Authorization: Bearer …</code>.</p>${secretBox(`jwt-${i}`, f.token, 'JWT')}`,
      );
    }
    const welcome =
      f.welcome === 'first_admin'
        ? html`<p><strong>Welcome, administrator.</strong> Your account is superuser + staff, and sign-up is now closed (invite-only).</p>`
        : f.welcome
          ? html`<p><strong>Welcome!</strong> Your account is ready.</p>`
          : '';
    return notice(
      'ok',
      html`${welcome}<p><strong>Your new personal key “${f.name}”.</strong> Copy the secret now: it is shown this once.</p>
<p class="hint">Key id</p>${secretBox(`key-id-${i}`, f.id, 'Key id')}
<p class="hint">Secret</p>${secretBox(`key-secret-${i}`, f.secret, 'Key secret')}
<p class="hint">Authorization header</p>${secretBox(`key-header-${i}`, f.authorization, 'Authorization header')}`,
    );
  })}`;
}

export function dashboardPages(app: FastifyInstance, ctx: PageContext): void {
  const { s } = ctx;
  const tags = ['pages'];

  async function dashboard(request: FastifyRequest, reply: FastifyReply, session: ActiveSession, status = 200, passwordError?: AppError) {
    const items = ctx.flash.take(session.idHash);
    if (items.some((f) => f.type !== 'message')) reply.header('referrer-policy', 'no-referrer');
    const user = toUser(session.user);
    let listed = await s.keys.page(user.id, { page: pageNumberOf(request), pageSize: DASHBOARD_KEYS_PAGE_SIZE });
    // A page past the end (keys revoked meanwhile, an edited address) shows the last one.
    const lastPage = Math.max(1, Math.ceil(listed.count / DASHBOARD_KEYS_PAGE_SIZE));
    if (listed.page > lastPage) listed = await s.keys.page(user.id, { page: lastPage, pageSize: DASHBOARD_KEYS_PAGE_SIZE });
    const keys = listed.results;
    const errors = Object.fromEntries((passwordError?.fields ?? []).map((f) => [f.field, f.message]));
    // A refused password change puts the cursor in the field to fix (the first form of the page otherwise keeps it).
    const focus = ['current_password', 'password', 'password2'].find((f) => errors[f]) ?? null;
    const body = html`<h1>${user.username}</h1>
<p class="lead">${user.email ?? 'No email'} · joined ${when(user.date_joined)}</p>
${roleBadges(session)}
<nav class="actions sections" aria-label="Your account"><a class="button secondary small" href="/dashboard/organizations/">Organizations</a></nav>
<div role="region" aria-label="Messages" aria-live="polite">${flashBlock(items)}</div>

<section class="card" aria-labelledby="keys-h">
<h2 id="keys-h">Personal API keys</h2>
<p class="hint">Exchange a key for a JWT at <code class="inline">/api/v2/auth/pkey/jwt/</code> with <code class="inline">Authorization: PersonalKey &lt;id&gt;:&lt;secret&gt;</code>.</p>
${
  keys.length === 0
    ? html`<p class="muted">No keys yet.</p>`
    : html`<table><caption class="skip">Your personal keys</caption><thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="skip">Actions</span></th></tr></thead><tbody>
${keys.map(
  (k) => html`<tr>
<td>${k.name}</td><td><code class="inline">${k.id}:${k.prefix}…</code></td><td>${when(k.created_at)}</td><td>${when(k.last_used_at)}</td>
<td>${k.revoked_at ? html`<span class="badge off">revoked</span>` : k.is_active ? when(k.expires_at) : html`<span class="badge off">expired</span>`}</td>
<td>${k.is_active ? html`<a class="button danger small" href="/dashboard/keys/${k.id}/revoke">Revoke</a>` : ''}</td></tr>`,
)}
</tbody></table>`
}
${keysPager(listed.page, DASHBOARD_KEYS_PAGE_SIZE, listed.count)}
<form method="post" action="/dashboard/keys" class="row">
${csrfInput(session.csrf)}
<div><label for="f-key-name">New key name</label><input id="f-key-name" name="name" type="text" maxlength="100" required placeholder="laptop"></div>
<div><label for="f-key-expiry">Expires</label><select id="f-key-expiry" name="expires_in_days">${EXPIRY_CHOICES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></div>
<div><button type="submit">Create key</button></div>
</form>
</section>

<div class="grid">
<section class="card" aria-labelledby="jwt-h">
<h2 id="jwt-h">JWT for API use</h2>
<p class="hint">A short-lived token (${Math.round(s.config.jwtExpirationDelta / 60)} minutes) for <code class="inline">Authorization: Bearer</code>.</p>
<form method="post" action="/dashboard/token">${csrfInput(session.csrf)}<div class="actions"><button type="submit" class="secondary">Generate JWT</button></div></form>
</section>

<section class="card" aria-labelledby="pw-h">
<h2 id="pw-h">Change password</h2>
${passwordError && !passwordError.fields?.length ? notice('error', passwordError.message) : ''}
<form method="post" action="/dashboard/password" novalidate>
${csrfInput(session.csrf)}
${field({ name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true, error: errors.current_password, autofocus: focus === 'current_password' })}
${field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, error: errors.password, autofocus: focus === 'password' })}
${field({ name: 'password2', label: 'New password again', type: 'password', autocomplete: 'new-password', required: true, error: errors.password2, autofocus: focus === 'password2' })}
<p class="hint">Signs out your other sessions and ends your other JWTs.</p>
<div class="actions"><button type="submit" class="secondary">Change password</button></div>
</form>
</section>
</div>`;
    return ctx.send(reply, status, layout({ title: 'Dashboard', user, csrf: session.csrf, body }));
  }

  app.get('/dashboard/', { schema: { summary: 'Your dashboard: roles, keys, JWT, password', tags } }, async (request, reply) => {
    const session = await requireSession(ctx, request, reply);
    return session ? dashboard(request, reply, session) : reply;
  });

  /** Every dashboard POST: signed in, CSRF token right; then act and redirect back (post/redirect/get). */
  function post(url: string, summary: string, act: (request: FastifyRequest, reply: FastifyReply, session: ActiveSession) => Promise<FastifyReply | void>) {
    app.post(url, { schema: { summary, tags } }, async (request, reply) => {
      const session = await requireSession(ctx, request, reply);
      if (!session) return reply;
      if (!ctx.checkCsrf(request, reply, session)) return reply;
      const answered = await act(request, reply, session);
      return answered ?? reply.redirect('/dashboard/', 303);
    });
  }

  post('/dashboard/keys', 'Create a personal key', async (request, _reply, session) => {
    const name = text(request, 'name').trim() || 'api';
    const days = Number(text(request, 'expires_in_days') || 0);
    if (name.length > 100 || /\p{Cc}/u.test(name) || !Number.isInteger(days) || days < 0 || days > 3650) {
      ctx.flash.push(session.idHash, {
        type: 'message',
        kind: 'error',
        text: 'Give the key a name of at most 100 printable characters and pick an expiry from the list.',
      });
      return;
    }
    try {
      const key = await s.keys.issue(pageActor(request, session), toUser(session.user), {
        name,
        expiresAt: days ? new Date(s.clock.now().getTime() + days * 86_400_000) : null,
      });
      ctx.flash.push(session.idHash, { type: 'key', id: key.id, secret: key.secret, name: key.key.name, authorization: key.authorization });
    } catch (e) {
      if (!(isAppError(e) && e.code === 'KEY_LIMIT_REACHED')) throw e;
      ctx.flash.push(session.idHash, { type: 'message', kind: 'error', text: e.message });
    }
  });

  post('/dashboard/token', 'Generate a JWT', async (_request, _reply, session) => {
    const { token, claims } = await s.tokens.issue(session.user);
    ctx.flash.push(session.idHash, { type: 'jwt', token, expiresAt: new Date(claims.exp * 1000).toISOString() });
  });

  post('/dashboard/password', 'Change your password', async (request, reply, session) => {
    try {
      if (text(request, 'password') !== text(request, 'password2')) {
        throw new AppError('VALIDATION', 'The two passwords do not match.', { fields: [{ field: 'password2', message: 'The two passwords do not match.' }] });
      }
      const epoch = await s.users.changeOwnPassword(
        pageActor(request, session),
        Number(session.user.id),
        text(request, 'current_password'),
        text(request, 'password'),
      );
      await s.sessions.keepOnly(session, epoch);
      ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text: 'Password changed. Your other sessions and JWTs have ended.' });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return dashboard(request, reply, session, e.status, e);
    }
  });

  const keyIdOf = (request: FastifyRequest) => String((request.params as { keyId: string }).keyId).slice(0, 64);

  app.get('/dashboard/keys/:keyId/revoke', { schema: { summary: 'Confirm revoking a key', tags } }, async (request, reply) => {
    const session = await requireSession(ctx, request, reply);
    if (!session) return reply;
    const key = await s.keys.get(Number(session.user.id), keyIdOf(request));
    if (!key) return ctx.errorPage(reply, 404, 'Key not found', 'You have no key with that id.');
    const body = html`<div class="card"><h1>Revoke key “${key.name}”?</h1>
<p>Key <code class="inline">${key.id}:${key.prefix}…</code>, created ${when(key.created_at)}, last used ${when(key.last_used_at)}.</p>
<p>Anything using this key stops working at once, and tokens made from it end. This cannot be undone.</p>
<form method="post" action="/dashboard/keys/${key.id}/revoke">${csrfInput(session.csrf)}
<div class="actions"><button type="submit" class="danger">Revoke key</button><a href="/dashboard/">Cancel</a></div></form></div>`;
    return ctx.send(reply, 200, layout({ title: 'Revoke key', user: toUser(session.user), csrf: session.csrf, narrow: true, body }));
  });

  post('/dashboard/keys/:keyId/revoke', 'Revoke a key', async (request, _reply, session) => {
    try {
      const key = await s.keys.revoke(pageActor(request, session), toUser(session.user), keyIdOf(request));
      ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text: `Key “${key.name}” revoked.` });
    } catch (e) {
      if (!isAppError(e)) throw e;
      ctx.flash.push(session.idHash, { type: 'message', kind: 'error', text: e.message });
    }
  });
}

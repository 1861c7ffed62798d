import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../errors.ts';
import { describePasswordRules } from '../lib/password-policy.ts';
import { PASSWORD_LINK_REFUSALS, passwordLinkPath, type PasswordLinks } from '../users/password-links.ts';
import { html } from './html.ts';
import { csrfInput, field, layout, notice } from './layout.ts';
import { formText } from './form.ts';
import type { PageContext } from './page-context.ts';

const TITLES = { used: 'Link already used', expired: 'Link expired', unknown: 'Link not found' } as const;

/**
 * `/set-password/<token>/`: the person of an account made without a password
 * (an import) chooses one, once, then signs in. An anonymous form with the
 * pre-session CSRF token, as sign-up and invitations have.
 */
export function passwordLinkPages(app: FastifyInstance, ctx: PageContext, links: PasswordLinks): void {
  const tokenOf = (request: FastifyRequest) => String((request.params as { token: string }).token).slice(0, 300);

  async function page(request: FastifyRequest, reply: FastifyReply, token: string, status: number, error?: { message: string; field?: string }) {
    const { state, username } = await links.inspect(token);
    if (state !== 'valid' || !username)
      return ctx.errorPage(
        reply,
        state === 'unknown' ? 404 : 410,
        TITLES[state === 'valid' ? 'unknown' : state],
        PASSWORD_LINK_REFUSALS[state === 'valid' ? 'unknown' : state],
      );
    reply.header('referrer-policy', 'no-referrer'); // the URL itself is the secret
    const csrf = ctx.anonymousCsrf(request, reply);
    const rules = html`<ul class="rules" id="password-rules">${describePasswordRules(ctx.s.config.passwordMinLength).map((r) => html`<li>${r}</li>`)}</ul>`;
    const body = html`<div class="card"><h1>Choose your password</h1>
<p class="lead">For the account <strong>${username}</strong>. This link works once.</p>
${error && !error.field ? notice('error', error.message) : ''}
<form method="post" action="${passwordLinkPath(token)}" novalidate>
${csrfInput(csrf)}
<input type="text" name="username" value="${username}" autocomplete="username" hidden>
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, autofocus: true, hint: rules, error: error?.field === 'password' ? error.message : undefined })}
${field({ name: 'password2', label: 'Password again', type: 'password', autocomplete: 'new-password', required: true, error: error?.field === 'password2' ? error.message : undefined })}
<div class="actions"><button type="submit">Set password</button></div>
</form></div>`;
    return ctx.send(reply, status, layout({ title: 'Choose your password', narrow: true, body }));
  }

  app.get('/set-password/:token/', { schema: { summary: 'Set-password page (a one-time link)', tags: ['pages'] } }, async (request, reply) =>
    page(request, reply, tokenOf(request), 200),
  );

  app.post('/set-password/:token/', { schema: { summary: 'Set a password with a one-time link', tags: ['pages'] } }, async (request, reply) => {
    if (!ctx.checkCsrf(request, reply, null)) return reply;
    const token = tokenOf(request);
    const password = formText(request, 'password');
    if (password !== formText(request, 'password2'))
      return page(request, reply, token, 400, { message: 'The two passwords do not match.', field: 'password2' });
    try {
      const { username } = await links.use(token, password, request.ip);
      const body = html`<div class="card"><h1>Password set</h1>
${notice('ok', html`<p>The password of <strong>${username}</strong> is set. This link no longer works.</p>`)}
<div class="actions"><a class="button" href="/accounts/login/">Sign in</a></div></div>`;
      reply.header('referrer-policy', 'no-referrer');
      return ctx.send(reply, 200, layout({ title: 'Password set', narrow: true, body }));
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.code === 'WEAK_PASSWORD' || e.code === 'VALIDATION') return page(request, reply, token, e.status, { message: e.message, field: 'password' });
      return page(request, reply, token, e.status);
    }
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { toUser } from '../users/users-repo.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import { html } from './html.ts';
import { csrfInput, field, layout, notice } from './layout.ts';
import { formText, formValue } from './form.ts';
import { PASSWORD_CHANGE_PATH, safeNext } from './safe-next.ts';
import type { PageContext } from './page-context.ts';
import { pageActor } from './signed-in.ts';

export const PASSWORD_CHANGE_SENTENCE = 'Your administrator asks you to choose a new password before you go on.';

/**
 * The page a user lands on after signing in while an administrator requires
 * a new password (users/lifecycle-service.ts): every signed-in page sends
 * them here (signed-in.ts) until they change it, which clears the request
 * and ends their other sessions and tokens.
 */
export function passwordChangePage(app: FastifyInstance, ctx: PageContext): void {
  const { s } = ctx;
  const tags = ['pages'];

  function page(reply: FastifyReply, session: ActiveSession, next: string, status = 200, error: AppError | null = null) {
    const errors = Object.fromEntries((error?.fields ?? []).map((f) => [f.field, f.message]));
    const focus = ['current_password', 'password', 'password2'].find((f) => errors[f]) ?? 'current_password';
    const body = html`<div class="card"><h1>Choose a new password</h1>
${notice('warn', PASSWORD_CHANGE_SENTENCE)}
${error && !error.fields?.length ? notice('error', error.message) : ''}
<form method="post" action="${PASSWORD_CHANGE_PATH}" novalidate>
${csrfInput(session.csrf)}
<input type="hidden" name="next" value="${next}">
${field({ name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true, error: errors.current_password, autofocus: focus === 'current_password' })}
${field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, error: errors.password, autofocus: focus === 'password' })}
${field({ name: 'password2', label: 'New password again', type: 'password', autocomplete: 'new-password', required: true, error: errors.password2, autofocus: focus === 'password2' })}
<div class="actions"><button type="submit">Change password</button></div>
</form>
<form method="post" action="/accounts/logout/">${csrfInput(session.csrf)}<button type="submit" class="secondary small">Sign out</button></form></div>`;
    return ctx.send(reply, status, layout({ title: 'Choose a new password', user: toUser(session.user), csrf: session.csrf, narrow: true, body }));
  }

  const nextOf = (request: FastifyRequest) => safeNext(formValue(request, 'next') ?? (request.query as Record<string, unknown>).next);

  app.get(PASSWORD_CHANGE_PATH, { schema: { summary: 'Choose a new password (asked by an administrator)', tags } }, async (request, reply) => {
    const session = await ctx.session(request);
    if (!session) return reply.redirect(`/accounts/login/?next=${encodeURIComponent(PASSWORD_CHANGE_PATH)}`, 303);
    return page(reply, session, nextOf(request));
  });

  app.post(PASSWORD_CHANGE_PATH, { schema: { summary: 'Choose a new password', tags } }, async (request, reply) => {
    const session = await ctx.session(request);
    if (!session) return reply.redirect('/accounts/login/', 303);
    if (!ctx.checkCsrf(request, reply, session)) return reply;
    const next = nextOf(request);
    try {
      if (formText(request, 'password') !== formText(request, 'password2')) {
        throw new AppError('VALIDATION', 'The two passwords do not match.', { fields: [{ field: 'password2', message: 'The two passwords do not match.' }] });
      }
      const epoch = await s.users.changeOwnPassword(
        pageActor(request, session),
        Number(session.user.id),
        formText(request, 'current_password'),
        formText(request, 'password'),
      );
      await s.sessions.keepOnly(session, epoch);
      ctx.flash.push(session.idHash, { type: 'message', kind: 'ok', text: 'Password changed. Your other sessions and JWTs have ended.' });
      return reply.redirect(next, 303);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return page(reply, session, next, e.status, e);
    }
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAppError } from '../errors.ts';
import { safeEqual } from '../lib/crypto.ts';
import { cookieValues } from '../sessions/session-cookies.ts';
import type { SsoLoginService } from '../sso/sso-login-service.ts';
import { baseUrlOf } from '../sso/sso-routes.ts';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { PageContext } from './page-context.ts';
import { DEFAULT_NEXT, safeNext } from './safe-next.ts';

export interface SsoPagesDeps {
  ssoLogin: SsoLoginService;
}

/**
 * The browser binds a sign-in to itself with this cookie (the state's value,
 * only on the callback's path): a callback URL made in someone else's
 * browser, sent to a victim, finds no matching cookie, so nobody is signed
 * in as someone else (login CSRF, OAuth 2.0 Security BCP section 4.7).
 */
const STATE_COOKIE = 'gadm_sso_state';
/** The cookie goes back only to the callbacks: site-wide ones, or an organization's. */
const cookiePath = (org: string | null) => (org === null ? '/g/sso/oidc/' : `/o/${encodeURIComponent(org)}/sso/oidc/`);

const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

const registered = new WeakMap<PageContext, SsoPagesDeps>();

/** "Sign in with <IdP>" buttons for the sign-in page: each enabled site-wide IdP, carrying `next`. */
export async function ssoButtons(ctx: PageContext, next: string): Promise<SafeHtml | ''> {
  const s = registered.get(ctx);
  if (!s) return '';
  const idps = await s.ssoLogin.siteProviders();
  if (idps.length === 0) return '';
  const tail = next === DEFAULT_NEXT ? '' : `?next=${encodeURIComponent(next)}`;
  return html`<div class="actions sso-buttons" role="group" aria-label="Single sign-on">${idps.map((p) => html`<a class="button secondary" href="/g/sso/oidc/${p.name}/login/${tail}">Sign in with ${p.name}</a>`)}</div>`;
}

/**
 * Single sign-on in the browser, at Graphistry's paths: site-wide
 * (`/g/sso/oidc/<idp>/login/` and its callback) and an organization's
 * (`/o/<org>/sso/oidc/<idp>/login/` and its callback).
 */
export function ssoPages(app: FastifyInstance, ctx: PageContext, s: SsoPagesDeps): void {
  registered.set(ctx, s);
  ssoFlowPages(app, ctx, s, '/g/sso/oidc/:idp/login/', 'site-wide');
  ssoFlowPages(app, ctx, s, '/o/:org/sso/oidc/:idp/login/', "an organization's");
}

function ssoFlowPages(app: FastifyInstance, ctx: PageContext, s: SsoPagesDeps, base: string, whose: string): void {
  const tags = ['pages'];
  const idpOf = (request: FastifyRequest) => String((request.params as { idp: string }).idp).slice(0, 100);
  const orgOf = (request: FastifyRequest) => {
    const org = (request.params as { org?: string }).org;
    return org === undefined ? null : String(org).slice(0, 200);
  };

  app.get(base, { schema: { summary: `Sign in through ${whose} OIDC IdP (redirects to it)`, tags } }, async (request, reply) => {
    try {
      const next = safeNext(query(request).next);
      const org = orgOf(request);
      const { url, state } = await s.ssoLogin.begin(idpOf(request), { baseUrl: await baseUrlOf(request, ctx.s.settings), next, ip: request.ip, org });
      reply.setCookie(STATE_COOKIE, state, { path: cookiePath(org), httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: 600 });
      return reply.redirect(url, 302);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return ctx.errorPage(reply, e.status, 'Single sign-on unavailable', e.message);
    }
  });

  app.get(`${base}callback`, { schema: { summary: `Where ${whose} OIDC IdP sends the browser back`, tags } }, async (request, reply) => {
    const q = query(request);
    const state = str(q.state);
    const bound = cookieValues(request.headers.cookie, STATE_COOKIE);
    reply.clearCookie(STATE_COOKIE, { path: cookiePath(orgOf(request)) });
    if (str(q.error)) {
      // The IdP's own code (RFC 6749 section 4.1.2.1), e.g. access_denied when the person cancelled.
      const code = /^[\x20-\x7e]{1,60}$/.test(str(q.error)) ? str(q.error) : 'error';
      return ctx.errorPage(reply, 400, 'Sign-in not completed', `The IdP ended the sign-in (${code}). Go back to the sign-in page to try again.`);
    }
    try {
      const isBound = Boolean(state) && bound.some((b) => safeEqual(b, state));
      const {
        user,
        next,
        state: row,
      } = await s.ssoLogin.complete(idpOf(request), { state, code: str(q.code), ip: request.ip, bound: isBound, org: orgOf(request) });
      if (row.kind === 'client') {
        const body = html`<div class="card"><h1>Signed in as ${user.username}</h1>
<p>Go back to your Python session: it has its token now. You can close this tab.</p></div>`;
        return ctx.send(reply, 200, layout({ title: 'Signed in', narrow: true, body }));
      }
      await ctx.startSession(request, reply, user);
      return reply.redirect(safeNext(next), 303);
    } catch (e) {
      if (!isAppError(e)) throw e;
      const titles: Record<string, string> = {
        SSO_NO_ACCOUNT: 'No account here yet',
        SSO_ACCOUNT_DISABLED: 'Account disabled',
        SSO_LINK_ADMIN_REQUIRED: 'Sign in with your password',
        SSO_ORG_INVITE_REQUIRED: 'Invitation needed',
      };
      const title = titles[e.code] ?? 'Sign-in not completed';
      return ctx.errorPage(reply, e.status, title, e.message);
    }
  });
}

import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import { randomSecret } from '../lib/crypto.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import { cookieNames, cookieValues, type CookieNames } from '../sessions/session-cookies.ts';
import { createFlashStore } from './flash.ts';
import { formValue } from './form.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { PageContext, PagesDeps } from './page-context.ts';
import { accountPages } from './account-pages.ts';
import { dashboardPages } from './dashboard-pages.ts';
import { passwordChangePage } from './password-change-page.ts';
import { orgPages } from './org-pages.ts';
import { ssoPages, type SsoPagesDeps } from './sso-pages.ts';
import { passwordLinkPages } from './password-link-pages.ts';
import type { PasswordLinks } from '../users/password-links.ts';

/**
 * Content-Security-Policy for every page: no inline script or style at all,
 * no framing, forms only to this site.
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STATIC: Record<string, { type: string; body: Buffer }> = {
  'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./static/app.css', import.meta.url)) },
  'copy.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./static/copy.js', import.meta.url)) },
  'favicon.svg': { type: 'image/svg+xml', body: readFileSync(new URL('./static/favicon.svg', import.meta.url)) },
};

/** The server's own HTML pages: sign-up, sign-in, dashboard, organizations, invitations. */
export function pagesPlugin(s: PagesDeps & SsoPagesDeps & { passwordLinks: PasswordLinks }) {
  return async (app: FastifyInstance) => {
    await app.register(cookie);
    const flash = createFlashStore();
    const resolved = new WeakMap<FastifyRequest, Promise<ActiveSession | null>>();
    // A pre-session cookie set while answering this request, before the browser has sent it.
    const minted = new WeakMap<FastifyRequest, string>();

    // Secure and `__Host-` whenever the browser reached us over HTTPS: directly, or
    // through a proxy TRUST_PROXY believes (its X-Forwarded-Proto). SESSION_COOKIE_SECURE
    // makes every request count as HTTPS, for a TLS proxy that does not say so.
    const namesOf = (request: FastifyRequest): CookieNames => cookieNames(s.config.sessionCookieSecure || request.protocol === 'https');
    // After the onRequest check below, at most one value per name is left.
    const cookieOf = (request: FastifyRequest, name: string): string | undefined => cookieValues(request.headers.cookie, name)[0] || undefined;
    const attributes = (names: CookieNames) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure: names.secure });

    // Pages say where a form came from (same-origin referrer) so the Origin
    // check below works; pages that show a secret switch to no-referrer.
    app.addHook('onRequest', async (request, reply) => {
      reply.header('referrer-policy', 'same-origin');
      // Two session (or pre-session) cookies of the name we read: one was planted on a
      // narrower path or a parent domain. Picking either would let the planter decide
      // whose session this is, so the request is refused before anything runs.
      const names = namesOf(request);
      if (cookieValues(request.headers.cookie, names.session).length > 1 || cookieValues(request.headers.cookie, names.presession).length > 1) {
        return ctx.errorPage(
          reply,
          400,
          'Conflicting cookies',
          "Your browser sent this site two sign-in cookies of the same name, so nothing was done. Delete this site's cookies in your browser, then sign in again.",
        );
      }
    });

    app.addHook('onSend', async (request, reply) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        reply.header('content-security-policy', CSP);
        reply.header('x-frame-options', 'DENY');
        reply.header('cross-origin-opener-policy', 'same-origin');
      }
    });

    // A state-changing request from another site is refused before anything
    // else: browsers send Origin on every cross-site POST.
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST') return;
      // "null" is what a browser sends from a no-referrer page or a sandbox:
      // no proof either way, so the CSRF token alone decides.
      const raw = request.headers.origin ?? refererOrigin(request.headers.referer);
      const origin = raw === 'null' ? undefined : raw;
      if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
        return ctx.errorPage(
          reply,
          403,
          'Request refused',
          'This form was sent from another site, so it was refused. Open the page on this site and try again.',
        );
      }
    });

    const ctx: PageContext = {
      s,
      flash,
      session(request) {
        let p = resolved.get(request);
        if (!p) {
          p = s.sessions.resolve(cookieOf(request, namesOf(request).session));
          resolved.set(request, p);
        }
        return p;
      },
      async startSession(request, reply, user) {
        const names = namesOf(request);
        // Never keep an id the browser brought with it (session fixation).
        await s.sessions.end(cookieOf(request, names.session));
        const { cookie: value, session } = await s.sessions.start(user, request.ip);
        reply.setCookie(names.session, value, { ...attributes(names), maxAge: s.config.sessionCookieAge });
        reply.clearCookie(names.presession, attributes(names));
        resolved.set(request, Promise.resolve(session));
        return session;
      },
      async endSession(request, reply) {
        const names = namesOf(request);
        await s.sessions.end(cookieOf(request, names.session));
        reply.clearCookie(names.session, attributes(names));
      },
      anonymousCsrf(request, reply) {
        const names = namesOf(request);
        let pre = minted.get(request) ?? cookieOf(request, names.presession);
        if (!pre || pre.length > 128) {
          pre = randomSecret(24);
          minted.set(request, pre);
          reply.setCookie(names.presession, pre, attributes(names));
        }
        return s.sessions.anonymousCsrf(pre);
      },
      checkCsrf(request, reply, session) {
        const given = formValue(request, 'csrf');
        const ok = session ? s.sessions.checkSessionCsrf(session, given) : s.sessions.checkAnonymousCsrf(cookieOf(request, namesOf(request).presession), given);
        if (!ok) ctx.errorPage(reply, 403, 'Form expired', 'This form has expired or is missing its security token. Go back, reload the page and try again.');
        return ok;
      },
      send(reply, status, page) {
        return reply.status(status).type('text/html; charset=utf-8').send(page.value);
      },
      errorPage(reply, status, title, text) {
        return ctx.send(
          reply,
          status,
          layout({
            title,
            narrow: true,
            body: html`<div class="card"><h1>${title}</h1><p>${text}</p><p><a href="/dashboard/">Go to your dashboard</a> · <a href="/accounts/login/">Sign in</a></p></div>`,
          }),
        );
      },
    };

    app.get('/static/:file', { schema: { summary: 'Stylesheet and script of the pages', tags: ['pages'] } }, async (request, reply) => {
      const name = (request.params as { file: string }).file;
      // Own keys only: `__proto__` or `toString` must not resolve to Object's members.
      const file = Object.hasOwn(STATIC, name) ? STATIC[name] : undefined;
      if (!file) return ctx.errorPage(reply, 404, 'Not found', 'No such file.');
      return reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body);
    });
    // Browsers ask for /favicon.ico on their own, whatever the page says.
    app.get('/favicon.ico', { schema: { summary: 'The icon of the pages', tags: ['pages'] } }, async (_request, reply) =>
      reply.type(STATIC['favicon.svg']!.type).header('cache-control', 'public, max-age=86400').send(STATIC['favicon.svg']!.body),
    );
    // An empty server's first visitor is there to create the administrator, not to sign in.
    app.get('/', async (_request, reply) => reply.redirect((await s.signup.state()).has_users ? '/dashboard/' : '/accounts/signup/', 302));

    accountPages(app, ctx);
    dashboardPages(app, ctx);
    passwordChangePage(app, ctx);
    orgPages(app, ctx);
    ssoPages(app, ctx, s);
    passwordLinkPages(app, ctx, s.passwordLinks);
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'invalid';
  }
}

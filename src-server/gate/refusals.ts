import type { IncomingHttpHeaders } from 'node:http';
import { html, type SafeHtml } from '../pages/html.ts';
import { layout } from '../pages/layout.ts';
import { DEFAULT_NEXT, safeNext } from '../pages/safe-next.ts';
import { CSP } from '../pages/pages-plugin.ts';
import type { ErrorCode } from '../errors.ts';
import type { AccessLevel } from './identity.ts';

export const LOGIN_PATH = '/accounts/login/';
/** Where a proxy should send an anonymous browser (nginx: `auth_request_set $login $upstream_http_x_login_url`). */
export const LOGIN_URL_HEADER = 'x-login-url';

/** A finished answer, written either through Fastify or straight onto a socket (WebSocket handshakes). */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The sign-in page, coming back to `originalUri` (when it is a path on this site) afterwards. */
export function loginUrl(originalUri: string | undefined): string {
  const next = originalUri ? safeNext(originalUri) : DEFAULT_NEXT;
  return next === DEFAULT_NEXT ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}

/** A browser loading a page, as opposed to a script, an API client or a WebSocket handshake. */
export function isNavigation(method: string, headers: IncomingHttpHeaders): boolean {
  if ((method !== 'GET' && method !== 'HEAD') || headers.upgrade) return false;
  const mode = headers['sec-fetch-mode'];
  return mode ? mode === 'navigate' : /\btext\/html\b/.test(headers.accept ?? '');
}

function answer(
  status: number,
  code: ErrorCode,
  message: string,
  page: { title: string; text: SafeHtml } | null,
  headers: Record<string, string> = {},
): Refusal {
  if (!page) return { status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: code, message }) };
  const body = layout({ title: page.title, narrow: true, body: html`<div class="card"><h1>${page.title}</h1>${page.text}</div>` }).value;
  return {
    status,
    headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'x-frame-options': 'DENY' },
    body,
  };
}

const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };

export const refusals = {
  redirectToLogin(url: string): Refusal {
    return { status: 302, headers: { ...COMMON, location: url, [LOGIN_URL_HEADER]: url }, body: '' };
  },

  /** For scripts and WebSocket handshakes; a browser loading a page gets redirectToLogin instead. */
  unauthenticated(url: string): Refusal {
    return answer(401, 'UNAUTHENTICATED', 'Sign in first: nobody is signed in on this request.', null, {
      ...COMMON,
      [LOGIN_URL_HEADER]: url,
      'www-authenticate': 'Bearer, PersonalKey',
    });
  },

  forbidden(level: AccessLevel, username: string, asPage: boolean): Refusal {
    const what = level === 'superuser' ? 'a superuser account' : level === 'staff' ? 'a staff account' : 'an active account';
    return answer(
      403,
      'FORBIDDEN',
      `This needs ${what}; ${username} does not have that access.`,
      asPage
        ? {
            title: 'Staff only',
            text: html`<p>This needs ${what}. You are signed in as <strong>${username}</strong>, who does not have that access.</p><p>Ask an administrator to grant it, or <a href="/dashboard/">go to your dashboard</a>.</p>`,
          }
        : null,
      COMMON,
    );
  },

  crossSite(asPage: boolean): Refusal {
    return answer(
      403,
      'FORBIDDEN',
      'This request came from another site, so it was refused.',
      asPage
        ? { title: 'Request refused', text: html`<p>This request came from another site, so it was refused. Open the page on this site and try again.</p>` }
        : null,
      COMMON,
    );
  },

  /** `retry` is the path asked for (under the gate's prefix, so on this site). */
  upstreamDown(gateName: string, prefix: string, asPage: boolean, retry = prefix): Refusal {
    const message = `The ${gateName} service behind ${prefix} is not answering. It may be starting or stopped: try again in a moment, and if it keeps failing ask an administrator to check it.`;
    return answer(
      502,
      'UPSTREAM_UNAVAILABLE',
      message,
      asPage ? { title: 'Service unavailable', text: html`<p>${message}</p><p><a class="button" href="${retry}">Try again</a></p>` } : null,
      COMMON,
    );
  },
};

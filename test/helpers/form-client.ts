import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A minimal browser stand-in for `app.inject`: keeps cookies, reads the CSRF
 * token out of the last page, and posts forms the way a browser does
 * (form-urlencoded, with this site's Origin). `headers` go with every request
 * (a proxy's X-Forwarded-Proto, say).
 */
export function formClient(app: FastifyInstance, origin = 'http://localhost:80', headers: Record<string, string> = {}) {
  const always = headers;
  const jar = new Map<string, string>();
  let lastBody = '';

  function absorb(res: LightMyRequestResponse) {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '';
      if (expired) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    lastBody = res.body;
    return res;
  }
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

  return {
    jar,
    get body() {
      return lastBody;
    },
    csrf(): string {
      const m = /name="csrf" value="([^"]+)"/.exec(lastBody);
      if (!m) throw new Error('no CSRF token on the last page');
      return m[1]!;
    },
    async get(url: string) {
      return absorb(await app.inject({ method: 'GET', url, headers: { ...always, cookie: cookieHeader() } }));
    },
    async post(url: string, fields: Record<string, string>, opts: { origin?: string | null; csrf?: string | null } = {}) {
      const form = new URLSearchParams(fields);
      const csrf = opts.csrf === undefined ? this.csrf() : opts.csrf;
      if (csrf !== null) form.set('csrf', csrf);
      const headers: Record<string, string> = { ...always, 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() };
      const o = opts.origin === undefined ? origin : opts.origin;
      if (o !== null) headers.origin = o;
      return absorb(await app.inject({ method: 'POST', url, headers, payload: form.toString() }));
    },
  };
}

/** Sign in on the server's own sign-in page, as a browser would; returns the session's Cookie header. */
export async function sessionCookie(app: FastifyInstance, username: string, password: string): Promise<string> {
  const browser = formClient(app);
  await browser.get('/accounts/login/');
  const res = await browser.post('/accounts/login/', { username, password, next: '/dashboard/' });
  if (res.statusCode !== 303 || !browser.jar.get('gadm_session')) throw new Error(`sign-in of ${username} failed: ${res.statusCode}`);
  return `gadm_session=${browser.jar.get('gadm_session')}`;
}

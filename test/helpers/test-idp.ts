import type { Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** What an account at the test IdP says about itself (its `sub` is the login typed at the dev login form). */
export interface IdpAccount {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claims per login; a login not listed signs in with its sub alone. */
  accounts: Map<string, IdpAccount>;
  /** The key the IdP signs its ID tokens with (kid `test-1`, RS256), for tests that make tokens of their own. */
  signingKey: CryptoKey;
  /**
   * Set by a test to stand in for an attacker between the IdP and the
   * server: the token endpoint's real ID token goes through it, and what it
   * returns is answered instead. null: answered as issued.
   */
  tamper: ((idToken: string) => Promise<string>) | null;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (panva's oidc-provider, certified) on 127.0.0.1
 * with one confidential client whose redirect URIs are the server's
 * callbacks. Its dev interactions sign anyone in by the login typed into
 * its form (any password), which a plain HTTP client or Chromium submits.
 */
export async function startTestIdp(opts: { redirectUris: string[]; clientId?: string; clientSecret?: string }): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-1', alg: 'RS256', use: 'sig' };
  const clientId = opts.clientId ?? 'graphistry-admin';
  const clientSecret = opts.clientSecret ?? 'test-idp-client-secret-' + Math.random().toString(36).slice(2);
  // Listen first: the issuer names the port.
  const { createServer } = await import('node:http');
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: clientId, client_secret: clientSecret, redirect_uris: opts.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-idp-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    // ID tokens carry the claims themselves (no userinfo call needed), as most IdPs configure it.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, ...accounts.get(sub) }) };
    },
  });
  // oidc-provider warns about its development-only helpers on stdout; the tests know.
  provider.on('server_error', (_ctx, err) => console.error('test IdP server_error', err));
  const idp: TestIdp = {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signingKey: privateKey,
    tamper: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (idp.tamper && ctx.path === '/token' && ctx.status === 200 && typeof body?.id_token === 'string') {
      ctx.body = { ...body, id_token: await idp.tamper(body.id_token) };
    }
  });
  handler = provider.callback();
  return idp;
}

/** Cookies per origin, as a browser would keep them for these loopback sites (paths ignored: every name here is distinct). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();
  header(url: string): string {
    const jar = this.jars.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    this.jars.set(host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now()));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
  get(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).host)?.get(name);
  }
}

/** One request the way a browser makes it: cookies from the jar, none of the redirects followed. */
export async function browse(jar: CookieJar, url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header(url) };
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
  jar.store(url, res);
  return res;
}

/**
 * Follow redirects from `url`, signing in at the test IdP's dev login form
 * as `login` and confirming its consent form, until an answer that is not a
 * redirect to the IdP: the server's callback answer (a redirect to the
 * dashboard, or an error page) comes back unfollowed, with `callbackUrl`.
 * With `follow: false` the callback is not requested at all.
 */
export async function signInAtIdp(
  jar: CookieJar,
  url: string,
  login: string,
  serverOrigin: string,
  opts: { follow?: boolean } = {},
): Promise<{ res: Response; callbackUrl: string | null }> {
  let next = url;
  let callbackUrl: string | null = null;
  for (let hops = 0; hops < 20; hops++) {
    const res = await browse(jar, next);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const target = new URL(location, next).toString();
      if (target.startsWith(serverOrigin) && target.includes('/login/callback')) {
        callbackUrl = target;
        // Not followed: the IdP's redirect itself, for a test that takes the code elsewhere.
        if (opts.follow === false) return { res, callbackUrl };
        return { res: await browse(jar, target), callbackUrl };
      }
      next = target;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    if (!action || !prompt) return { res: new Response(html, { status: res.status, headers: res.headers }), callbackUrl };
    const submit = new URL(action.replace(/&amp;/g, '&'), next).toString();
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
    const posted = await browse(jar, submit, { form });
    const loc = posted.headers.get('location');
    if (!loc) throw new Error(`the IdP's ${prompt} form answered ${posted.status} without a redirect: ${(await posted.text()).slice(0, 300)}`);
    next = new URL(loc, submit).toString();
  }
  throw new Error('too many redirects');
}

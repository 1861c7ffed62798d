import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import type { AdminHttp } from './admin-http.ts';
import { failureForPage, remoteErrors } from './remote-errors.ts';

/**
 * Graphistry's token API (product.md): a password exchanged for a JWT, at
 * `/api-token-auth/` (older clients) or `/api/v2/auth/token/generate`. The
 * console uses it to mint the admin's own JWT (Copy JWT). It is looked for
 * first under the admin path's prefix (a site mounted at `/graphistry/` has
 * its admin at `/graphistry/admin/` and its token API at
 * `/graphistry/api-token-auth/`), then at the root, and the place that
 * answered is remembered for the connection.
 */
const PATHS = ['api-token-auth/', 'api/v2/auth/token/generate'];

export type TokenAnswer = { kind: 'token'; token: string } | { kind: 'refused' } | { kind: 'absent'; tried: string[] };

export type TokenApi = ReturnType<typeof createTokenApi>;

/** `adminPath`: the admin site's path under the base address, with a final slash (`graphistry/admin/`). */
export function createTokenApi(http: AdminHttp, adminPath: string) {
  const prefix = adminPath.replace(/[^/]+\/$/, '');
  const candidates = [...new Set([...PATHS.map((p) => prefix + p), ...PATHS])];
  let found: string | null = null;

  async function ask(path: string, username: string, password: string): Promise<TokenAnswer | null> {
    const url = http.url(path);
    const page = await http.post(url, { json: { username, password } }, { referer: url });
    if (page.status === 404 || page.status === 405) return null;
    let body: unknown;
    try {
      body = /json/i.test(page.contentType) ? JSON.parse(page.body) : null;
    } catch {
      body = null;
    }
    const token = (body as { token?: unknown } | null)?.token;
    if (page.status === 200 && typeof token === 'string' && token) return { kind: 'token', token };
    if (page.status === 400 || page.status === 401 || page.status === 403) return { kind: 'refused' };
    throw failureForPage(page, http.host, 'issue a token');
  }

  async function request(username: string, password: string): Promise<TokenAnswer> {
    for (const path of found ? [found] : candidates) {
      const answer = await ask(path, username, password);
      if (!answer) continue;
      found = path;
      return answer;
    }
    return { kind: 'absent', tried: candidates.map((p) => `/${p}`) };
  }

  return {
    request,
    async mint(username: string, password: string): Promise<{ token: string; expires_at: string }> {
      const answer = await request(username, password);
      if (answer.kind === 'token') return { token: answer.token, expires_at: expiryOf(answer.token) };
      if (answer.kind === 'refused') throw remoteErrors.wrongPassword();
      throw remoteErrors.unsupported(`${http.host} has no token API (nothing answered at ${answer.tried.join(', ')}): it cannot hand out a JWT.`);
    },
  };
}

/** The JWT's own expiry (its `exp` claim), read without verifying: the console only shows it. */
export function expiryOf(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof payload.exp === 'number') return new Date(payload.exp * 1000).toISOString();
  } catch {
    // fall through
  }
  throw new ConsoleFailure({
    code: 'SERVER_ERROR',
    serverCode: 'UNEXPECTED_TOKEN',
    message: 'The token API answered a token without an expiry the console can read.',
  });
}

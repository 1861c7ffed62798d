import type { Agent as HttpsAgent } from 'node:https';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AxiosResponse } from 'axios';
import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { answerTooLarge, isAnswerTooLarge, memoAgent, parseBaseUrl, textAxios } from '../http-client.ts';
import { failureFromTransport } from '../transport-errors.ts';
import { createCookieJar, type CookieJar } from './cookie-jar.ts';
import { PageTooComplex, readPage, type Element } from './html.ts';
import { createSemaphore } from '../../../src-shared/semaphore.ts';

export interface AdminHttpOptions {
  /** The Graphistry's address (scheme, host, port and any path prefix). */
  baseUrl: string;
  timeoutMs: number;
  /** The per-profile TLS trust (a CA file or a pinned certificate), resolved before the first request. */
  httpsAgent?: () => Promise<HttpsAgent | undefined>;
  /** Concurrent requests at most, as a browser limits itself per host. */
  parallel?: number;
}

export interface AdminPage {
  status: number;
  /** Where the answer came from, after any redirects followed. */
  url: URL;
  /** A redirect's target (when not followed). */
  location: URL | null;
  contentType: string;
  body: string;
  /**
   * The body parsed as HTML (its `<html>` element), decoded and parsed a slice
   * at a time (html.ts readPage): read pages through this, never by parsing
   * `body` again, which would hold the event loop for the whole page.
   */
  html: Element;
}

export interface AdminHttp {
  /** The base address as given, without a final slash. */
  readonly baseUrl: string;
  readonly host: string;
  readonly origin: string;
  readonly jar: CookieJar;
  /** Requests sent so far (the bench and the tests count what a page costs). */
  readonly stats: { requests: number };
  /** A path of the site (`admin/users/user/`, `api-token-auth/`) as a URL under the base address. */
  url(path: string): URL;
  get(url: URL, opts?: { referer?: URL; follow?: boolean }): Promise<AdminPage>;
  post(url: URL, body: URLSearchParams | { json: unknown }, opts: { referer: URL }): Promise<AdminPage>;
}

/**
 * A Django admin page is far smaller: a 200-row change list is about 160 KB,
 * a user's change form about 25 KB. Past this the answer is refused while its
 * bytes arrive (axios counts them, after any decompression, and stops the
 * stream), so a hostile server's endless page costs neither memory nor a
 * parse: a 16 MiB page once held the console's main process for 5 s and
 * 1.45 GB. Under it, html.ts bounds the parse itself (slices, depth, elements).
 */
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/**
 * HTTP the way a browser works a Django admin site: one cookie jar (the
 * session and the CSRF cookie), a `Referer` and `Origin` on every form post
 * (Django's CSRF check insists on a same-origin Referer over HTTPS), English
 * pages (dates are read from them), same-origin redirects only.
 */
export function createAdminHttp(opts: AdminHttpOptions): AdminHttp {
  const base = parseBaseUrl(opts.baseUrl);
  const baseHref = `${base.origin}${base.pathname.replace(/\/*$/, '/')}`;
  const jar = createCookieJar();
  const stats = { requests: 0 };
  // Never refuses: a page's requests simply wait their turn.
  const slots = createSemaphore(opts.parallel ?? 6);
  const limit = <T>(task: () => Promise<T>) => slots.run(task);
  const instance = textAxios({
    hostname: base.hostname,
    timeoutMs: opts.timeoutMs,
    maxBytes: MAX_PAGE_BYTES,
    headers: { 'Accept-Language': 'en-US,en;q=0.5', 'User-Agent': 'GraphistryAdminConsole' },
  });
  const agent = memoAgent(opts.httpsAgent);

  async function once(method: 'GET' | 'POST', url: URL, body: string | undefined, headers: Record<string, string>): Promise<AdminPage> {
    if (url.origin !== base.origin) throw new ConsoleFailure({ code: 'INTERNAL', message: `Refusing to send the session to ${url.origin}.` });
    const httpsAgent = await agent();
    const cookie = jar.header(url);
    let res: AxiosResponse<unknown>;
    try {
      stats.requests++;
      res = await instance.request({
        method,
        url: url.toString(),
        data: body,
        headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) },
        signal: AbortSignal.timeout(opts.timeoutMs),
        // The bytes, decoded a slice at a time with the parse (html.ts readPage), not in one piece here.
        responseType: 'arraybuffer',
        ...(httpsAgent ? { httpsAgent } : {}),
      });
    } catch (e) {
      if (isAnswerTooLarge(e)) throw answerTooLarge(base.host, url.pathname, MAX_PAGE_BYTES);
      throw failureFromTransport(e, base.host, opts.timeoutMs);
    }
    const setCookie = res.headers['set-cookie'];
    if (Array.isArray(setCookie)) jar.store(setCookie, url);
    const raw = res.headers.location;
    const location = typeof raw === 'string' && raw ? new URL(raw, url) : null;
    let page: { html: Element; text: string };
    try {
      // axios has just joined the answer's chunks in this turn: the parse starts in the next one.
      await nextTurn();
      page = await readPage(Buffer.isBuffer(res.data) ? [res.data] : []);
    } catch (e) {
      if (!(e instanceof PageTooComplex)) throw e;
      throw new ConsoleFailure({
        code: 'SERVER_ERROR',
        serverCode: 'PAGE_TOO_COMPLEX',
        message: `${base.host} answered ${url.pathname} with a page that ${e.why}, which no Django admin page does: the console did not read it.`,
      });
    }
    return { status: res.status, url, location, contentType: String(res.headers['content-type'] ?? ''), body: page.text, html: page.html };
  }

  function checkRedirect(page: AdminPage): URL | null {
    if (page.status < 300 || page.status >= 400 || !page.location) return null;
    if (page.location.origin !== base.origin) {
      throw new ConsoleFailure({ code: 'UNREACHABLE', message: `The server at ${base.host} redirects to ${page.location.origin}: use that address instead.` });
    }
    return page.location;
  }

  return {
    baseUrl: baseHref.replace(/\/$/, ''),
    host: base.host,
    origin: base.origin,
    jar,
    stats,
    url: (path) => new URL(path.replace(/^\/+/, ''), baseHref),
    get: (url, o = {}) =>
      limit(async () => {
        let page = await once('GET', url, undefined, { Accept: 'text/html,application/json;q=0.9', ...(o.referer ? { Referer: o.referer.toString() } : {}) });
        for (let hops = 0; o.follow !== false && hops < MAX_REDIRECTS; hops++) {
          const next = checkRedirect(page);
          if (!next) break;
          page = await once('GET', next, undefined, { Accept: 'text/html', Referer: (o.referer ?? url).toString() });
        }
        return page;
      }),
    post: (url, body, o) =>
      limit(async () => {
        const json = !(body instanceof URLSearchParams);
        const headers = {
          Accept: json ? 'application/json' : 'text/html',
          'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
          Referer: o.referer.toString(),
          Origin: base.origin,
        };
        const page = await once('POST', url, json ? JSON.stringify(body.json) : body.toString(), headers);
        checkRedirect(page);
        return page;
      }),
  };
}

import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { failureFromErrorBody, failureFromForeignAnswer, notGraphistry, unexpectedShape, type FailureContext } from './http-errors.ts';
import { failureFromTransport } from './transport-errors.ts';

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** PEM of a certificate authority (or a self-signed certificate) to trust instead of the system's. */
  ca?: string;
  /** The profile's own trust (tls-trust.ts), resolved before the first request. */
  httpsAgent?: () => Promise<HttpsAgent | undefined>;
}

export interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** The `Authorization` value, if any. */
  authorization?: string;
  /** Scrubbed from any text that reaches an error message. */
  secrets?: readonly string[];
  /** A schema for a JSON answer; 'empty' ignores the body (204); 'text' wants a non-HTML body (health). */
  expect: z.ZodType<T> | 'empty' | 'text';
  /** A call that may take longer or answer more than any other (an import of thousands of rows): its own bounds. */
  bounds?: { timeoutMs: number; maxAnswerBytes: number };
}

// The bundled server's largest answer is a page of 200 users or 10,000 ids
// (well under 200 KB); a server that sends more is refused while the bytes
// arrive, before any of it is kept or parsed (JSON.parse holds the event loop).
const MAX_ANSWER_BYTES = 1024 * 1024;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

export interface HttpClient {
  readonly baseUrl: string;
  readonly host: string;
  send<T>(spec: RequestSpec<T>): Promise<T>;
}

/** Parse and check the base URL once: http(s) only, no user info (it would become Basic auth and land in logs). */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConsoleFailure({ code: 'VALIDATION', message: 'The server address is not a URL.', fields: [{ field: 'url', message: 'must be a URL' }] });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConsoleFailure({
      code: 'VALIDATION',
      message: 'The server address must start with http:// or https://.',
      fields: [{ field: 'url', message: 'must start with http:// or https://' }],
    });
  }
  if (url.username || url.password) {
    throw new ConsoleFailure({
      code: 'VALIDATION',
      message: 'The server address must not contain a user name or password.',
      fields: [{ field: 'url', message: 'must not contain a user name or password' }],
    });
  }
  return url;
}

/**
 * An axios instance that answers every status (the caller reads it), as
 * text (parsed by the caller, so an HTML page is recognized as such), follows
 * no redirect (following one would carry the credential wherever it points),
 * and skips system proxies for loopback, which a proxy can never reach.
 */
export function textAxios(o: {
  hostname: string;
  timeoutMs: number;
  maxBytes: number;
  headers: Record<string, string>;
  baseURL?: string;
  httpsAgent?: HttpsAgent;
}): AxiosInstance {
  return axios.create({
    ...(o.baseURL ? { baseURL: o.baseURL } : {}),
    timeout: o.timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: o.maxBytes,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
    headers: o.headers,
    ...(o.httpsAgent ? { httpsAgent: o.httpsAgent } : {}),
    ...(LOOPBACK.test(o.hostname) ? { proxy: false as const } : {}),
  });
}

/** axios's refusal of an answer past maxContentLength (it stops reading the stream there); its only mark is the message. */
export function isAnswerTooLarge(err: unknown): boolean {
  return axios.isAxiosError(err) && /^maxContentLength size of \d+ exceeded/.test(err.message);
}

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`);

/** The sentence for an answer refused for its size: `what` names the request. */
export function answerTooLarge(host: string, what: string, maxBytes: number): ConsoleFailure {
  return new ConsoleFailure({
    code: 'SERVER_ERROR',
    serverCode: 'ANSWER_TOO_LARGE',
    message: `${host} answered ${what} with more than ${formatBytes(maxBytes)}, far more than the console ever asks for, so the console stopped reading it.`,
  });
}

/** The profile's HTTPS agent, made once; a failed trust check is asked again next time rather than remembered. */
export function memoAgent(provider: (() => Promise<HttpsAgent | undefined>) | undefined): () => Promise<HttpsAgent | undefined> {
  let agent: Promise<HttpsAgent | undefined> | null = null;
  return () => {
    agent ??= provider
      ? provider().catch((e: unknown) => {
          agent = null;
          throw e;
        })
      : Promise.resolve(undefined);
    return agent;
  };
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const url = parseBaseUrl(opts.baseUrl);
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const host = url.host;
  const instance = textAxios({
    hostname: url.hostname,
    timeoutMs: opts.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
    headers: { Accept: 'application/json' },
    baseURL: baseUrl,
    ...(opts.ca ? { httpsAgent: new HttpsAgent({ ca: opts.ca }) } : {}),
  });

  const agent = memoAgent(opts.httpsAgent);

  async function send<T>(spec: RequestSpec<T>): Promise<T> {
    const ctx: FailureContext = { host, secrets: spec.secrets ?? [] };
    const timeoutMs = spec.bounds?.timeoutMs ?? opts.timeoutMs;
    const maxBytes = spec.bounds?.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    const httpsAgent = await agent();
    let res: AxiosResponse<unknown>;
    try {
      res = await instance.request({
        ...(httpsAgent ? { httpsAgent } : {}),
        method: spec.method,
        url: spec.path,
        params: spec.query,
        data: spec.body,
        headers: spec.authorization ? { Authorization: spec.authorization } : {},
        ...(spec.bounds ? { timeout: timeoutMs, maxContentLength: maxBytes, maxBodyLength: Infinity } : {}),
        // `timeout` is per socket idle period; this caps the whole exchange (a server trickling bytes forever).
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if (isAnswerTooLarge(e)) throw answerTooLarge(host, `${spec.method} ${spec.path.split('?')[0]}`, maxBytes);
      throw failureFromTransport(e, host, timeoutMs);
    }
    const contentType = String(res.headers['content-type'] ?? '');
    const text = typeof res.data === 'string' ? res.data : '';
    // A file asked for as text (a JSON export) is not parsed on the way: only an error's body is.
    const json = /[/+]json\b/i.test(contentType) && (spec.expect !== 'text' || res.status >= 300) ? parseJson(text) : undefined;

    if (res.status >= 300 && res.status < 400) {
      const to = originOf(res.headers.location);
      if (to && to !== url.origin)
        throw new ConsoleFailure({ code: 'UNREACHABLE', message: `The server at ${host} redirects to ${to}: use that address instead.` });
      throw notGraphistry(ctx, `it answered ${res.status} with a redirect`);
    }
    if (res.status >= 400 || res.status < 200) {
      if (json && typeof json === 'object' && !Array.isArray(json)) throw failureFromErrorBody(res.status, json, res.headers['retry-after'], ctx);
      throw failureFromForeignAnswer(res.status, contentType, res.headers['retry-after'], ctx);
    }
    if (spec.expect === 'empty') return undefined as T;
    if (spec.expect === 'text') {
      if (/html/i.test(contentType)) throw notGraphistry(ctx, 'its health check answered with a web page');
      return text as T;
    }
    if (json === undefined) throw notGraphistry(ctx, /html/i.test(contentType) ? 'it answered with a web page' : 'it did not answer JSON');
    const parsed = spec.expect.safeParse(json);
    if (!parsed.success) throw unexpectedShape(ctx, `${spec.method} ${spec.path.split('?')[0]}`);
    return parsed.data;
  }

  return { baseUrl, host, send };
}

function parseJson(text: string): unknown {
  try {
    return text.trim() ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function originOf(location: unknown): string | null {
  if (typeof location !== 'string') return null;
  try {
    return new URL(location).origin;
  } catch {
    return null;
  }
}

/**
 * A call to routes a bundled server gained with `feature`: an older server
 * has no such routes, and its generic 404 (`NOT_FOUND`, not a domain code
 * like `ORG_NOT_FOUND`) becomes UNSUPPORTED with a sentence, rather than
 * "not found" for something that exists.
 */
export async function newerServerCall<T>(feature: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ConsoleFailure && e.error.serverCode === 'NOT_FOUND')
      throw new ConsoleFailure({
        code: 'UNSUPPORTED',
        serverCode: 'UNSUPPORTED',
        message: `This Graphistry Admin server is older than ${feature}: update it.`,
      });
    throw e;
  }
}

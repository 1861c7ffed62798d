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
}

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
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
    throw new ConsoleFailure({ code: 'VALIDATION', message: 'The server address must start with http:// or https://.', fields: [{ field: 'url', message: 'must start with http:// or https://' }] });
  }
  if (url.username || url.password) {
    throw new ConsoleFailure({ code: 'VALIDATION', message: 'The server address must not contain a user name or password.', fields: [{ field: 'url', message: 'must not contain a user name or password' }] });
  }
  return url;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const url = parseBaseUrl(opts.baseUrl);
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const host = url.host;
  const instance: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: opts.timeoutMs,
    // A redirect is never part of this API; following one would also carry the credential to wherever it points.
    maxRedirects: 0,
    validateStatus: () => true,
    // Parsed here, so an HTML page is recognized as such rather than passed on as a string.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_ANSWER_BYTES,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
    headers: { Accept: 'application/json' },
    ...(opts.ca ? { httpsAgent: new HttpsAgent({ ca: opts.ca }) } : {}),
    // A system proxy can never reach this machine's loopback, where the bundled server listens.
    ...(LOOPBACK.test(url.hostname) ? { proxy: false as const } : {}),
  });

  async function send<T>(spec: RequestSpec<T>): Promise<T> {
    const ctx: FailureContext = { host, secrets: spec.secrets ?? [] };
    let res: AxiosResponse<unknown>;
    try {
      res = await instance.request({
        method: spec.method,
        url: spec.path,
        params: spec.query,
        data: spec.body,
        headers: spec.authorization ? { Authorization: spec.authorization } : {},
        // `timeout` is per socket idle period; this caps the whole exchange (a server trickling bytes forever).
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (e) {
      throw failureFromTransport(e, host, opts.timeoutMs);
    }
    const contentType = String(res.headers['content-type'] ?? '');
    const text = typeof res.data === 'string' ? res.data : '';
    const json = /[/+]json\b/i.test(contentType) ? parseJson(text) : undefined;

    if (res.status >= 300 && res.status < 400) {
      const to = originOf(res.headers.location);
      if (to && to !== url.origin) throw new ConsoleFailure({ code: 'UNREACHABLE', message: `The server at ${host} redirects to ${to}: use that address instead.` });
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

import { readFile, stat } from 'node:fs/promises';
import { RENDERER_HEADERS } from '../bridge/csp.ts';
import { contentTypeOf, resolveStaticPath } from '../bridge/static-path.ts';
import { APP_HOST } from './trust.ts';

const plain = (status: number, text: string) => new Response(text, { status, headers: { ...RENDERER_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });

/**
 * The `app://console/...` protocol handler's answer: a file of the built
 * renderer, with the renderer CSP, or a refusal. Kept free of Electron so it
 * runs in tests; main.ts passes it to `protocol.handle`.
 */
export async function appProtocolResponse(rendererDir: string, requestUrl: string, method: string): Promise<Response> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return plain(400, 'Bad request.\n');
  }
  if (url.host !== APP_HOST) return plain(404, 'Not found.\n');
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed.\n');
  const file = resolveStaticPath(rendererDir, url.pathname);
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) return plain(404, 'Not found.\n');
  const body = method === 'HEAD' ? null : new Uint8Array(await readFile(file));
  return new Response(body, { status: 200, headers: { ...RENDERER_HEADERS, 'content-type': contentTypeOf(file) } });
}

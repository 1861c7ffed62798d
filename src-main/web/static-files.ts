import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RENDERER_HEADERS } from '../bridge/csp.ts';
import { contentTypeOf, resolveStaticPath } from '../bridge/static-path.ts';
import { PLACEHOLDER_HTML } from './placeholder.ts';

/**
 * Serves the built renderer. No token is needed here: the page is public
 * code, and the token it needs for the bridge arrives in the URL it was
 * opened with (the renderer reads it from `location`, keeps it in memory and
 * strips it from the address bar with `history.replaceState`).
 */
export function createStaticHandler(rendererDir: string) {
  const send = (res: ServerResponse, status: number, type: string, body: Buffer | string, head: boolean) => {
    res.writeHead(status, { ...RENDERER_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
    res.end(head ? undefined : body);
  };

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed.\n');
      return;
    }
    const file = resolveStaticPath(rendererDir, pathname);
    if (file === null) return send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n', head);
    const info = await stat(file).catch(() => null);
    if (info?.isFile()) return send(res, 200, contentTypeOf(file), await readFile(file), head);
    // Before the first build there is no index.html: say how to make one.
    const isIndex = file === resolve(rendererDir, 'index.html');
    if (isIndex) return send(res, 200, 'text/html; charset=utf-8', PLACEHOLDER_HTML, head);
    return send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n', head);
  };
}

import { WebSocket } from 'ws';

export type Handshake = { ok: true; ws: WebSocket; messages: string[] } | { ok: false; status: number; body: string };

/**
 * Open a WebSocket with the `ws` package (an implementation independent of
 * the gate's) and report either the open socket, collecting text messages,
 * or the HTTP status that refused the handshake.
 */
export function openWebSocket(url: string, headers: Record<string, string> = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
    const messages: string[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) messages.push(String(data));
    });
    ws.once('open', () => resolve({ ok: true, ws, messages }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += String(c)));
      res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (e) => reject(e));
  });
}

/** Resolves with the close code and reason, and how long after `since` it came. */
export function closed(ws: WebSocket, since = performance.now()): Promise<{ code: number; reason: string; afterMs: number; error: Error | null }> {
  let error: Error | null = null;
  ws.on('error', (e) => (error ??= e));
  return new Promise((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason), afterMs: performance.now() - since, error }));
  });
}

/** The next text message (waits up to `timeoutMs`). */
export async function nextMessage(handshake: Extract<Handshake, { ok: true }>, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (handshake.messages.length === 0) {
    if (Date.now() > deadline) throw new Error('no WebSocket message in time');
    await new Promise((r) => setTimeout(r, 10));
  }
  return handshake.messages.shift()!;
}

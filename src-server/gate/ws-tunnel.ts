import type { Duplex } from 'node:stream';
import { closeFrame, createFrameBoundaries } from './ws-frames.ts';

/** How long a closing tunnel waits for the frame in flight, and then for the client, before cutting the connection. */
const CLOSE_GRACE_MS = 2000;

export interface Tunnel {
  /** End the WebSocket with a Close frame to the client (between two frames), then cut both connections. */
  close(code: number, reason: string): void;
  readonly closed: boolean;
}

/**
 * Bytes both ways between a client and an upstream after a WebSocket
 * handshake. Client to upstream is a plain pipe; upstream to client goes
 * through a frame-boundary tracker so the gate can close the client's
 * WebSocket cleanly (code and reason) when its access ends.
 */
export function openTunnel(client: Duplex, upstream: Duplex, upstreamHead: Buffer, clientHead: Buffer, onClosed: () => void): Tunnel {
  const boundaries = createFrameBoundaries();
  let closing: Buffer | null = null;
  let finished = false;
  let closed = false;

  const teardown = () => {
    if (closed) return;
    closed = true;
    client.destroy();
    upstream.destroy();
    onClosed();
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    upstream.destroy();
    client.end(closing!);
    setTimeout(teardown, CLOSE_GRACE_MS).unref();
  };

  const toClient = (chunk: Buffer) => {
    if (closing) {
      const n = boundaries.advance(chunk, true);
      if (n > 0) client.write(chunk.subarray(0, n));
      if (boundaries.atBoundary) finish();
      return;
    }
    boundaries.advance(chunk);
    if (!client.write(chunk)) upstream.pause();
  };

  client.on('drain', () => upstream.resume());
  upstream.on('data', toClient);
  upstream.on('end', () => {
    if (!closing) client.end();
  });
  // While closing, the upstream going away is expected; the client connection ends on its own schedule.
  upstream.on('close', () => {
    if (!closing) teardown();
  });
  client.on('close', teardown);
  client.on('error', teardown);
  upstream.on('error', () => {
    if (!closing) teardown();
  });

  if (upstreamHead.length) toClient(upstreamHead);
  if (clientHead.length) upstream.write(clientHead);
  client.pipe(upstream);

  return {
    close(code, reason) {
      if (closing || closed) return;
      closing = closeFrame(code, reason);
      client.unpipe(upstream);
      // The client's answering Close frame is read and dropped, so its FIN arrives and the socket can close.
      client.resume();
      upstream.resume();
      if (boundaries.atBoundary) finish();
      else setTimeout(teardown, CLOSE_GRACE_MS).unref();
    },
    get closed() {
      return closed;
    },
  };
}

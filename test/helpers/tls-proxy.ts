// A TLS-terminating reverse proxy in front of a local HTTP server, as a
// Graphistry sits behind its own proxy: it keeps the Host header and says
// `X-Forwarded-Proto: https`, so Django treats requests as secure (and
// checks Referer on every form post). Certificates are throwaway ones from
// openssl, with the subjectAltName a test asks for.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';
export const opensslMissing = () => (existsSync(OPENSSL) ? null : `${OPENSSL} is missing`);

export interface Certificate {
  key: string;
  cert: string;
  /** The certificate written to a file (for a profile's CA file). */
  file: string;
  cleanup(): void;
}

/** A throwaway self-signed certificate for the given subjectAltName (e.g. `IP:127.0.0.1`). */
export function selfSigned(san: string, cn = 'graphistry-test'): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'gadm-tls-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'pipe' },
  );
  const out = {
    key: readFileSync(key, 'utf8'),
    cert: readFileSync(cert, 'utf8'),
    file: join(dir, 'ca.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  writeFileSync(out.file, out.cert);
  return out;
}

export interface TlsProxy {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startTlsProxy(target: string, cert: Pick<Certificate, 'key' | 'cert'>): Promise<TlsProxy> {
  const to = new URL(target);
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

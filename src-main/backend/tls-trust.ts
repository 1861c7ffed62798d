import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Agent as HttpsAgent } from 'node:https';
import { connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { CertificateInfo } from '../../src-shared/console-api.ts';
import { failureFromTransport } from './transport-errors.ts';

/**
 * Trust for one profile's HTTPS server, never for the whole process: either
 * a certificate authority from a PEM file, or one exact certificate the admin
 * chose to allow (its SHA-256 fingerprint). A pinned certificate is fetched
 * once by a handshake that sends nothing, checked against the fingerprint,
 * then made the connection's only trust anchor, and `checkServerIdentity`
 * accepts exactly that certificate (its name need not match: a self-signed
 * certificate often names another host).
 */
export interface TlsTrust {
  caFile?: string;
  pinnedCertificate?: string;
}

const tlsFailure = (message: string) => new ConsoleFailure({ code: 'TLS', message });

function target(url: URL) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: Number(url.port || 443), ...(isIP(host) ? {} : { servername: host }) };
}

/** The server's certificate, as presented, without trusting it and without sending a byte of application data. */
export function peerCertificate(url: URL, timeoutMs = 10_000): Promise<{ cert: PeerCertificate; authorized: boolean; problem: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ ...target(url), rejectUnauthorized: false, timeout: timeoutMs });
    const fail = (e: unknown) => {
      socket.destroy();
      reject(failureFromTransport(e, url.host, timeoutMs));
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      const problem = socket.authorizationError ? String((socket.authorizationError as { code?: string }).code ?? socket.authorizationError) : null;
      resolve({ cert, authorized: socket.authorized, problem });
      socket.end();
    });
    socket.once('timeout', () => fail(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
  });
}

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
const normalize = (fp: string) => fp.trim().toUpperCase();

export async function inspectCertificate(raw: string): Promise<CertificateInfo> {
  const url = new URL(raw);
  if (url.protocol !== 'https:')
    throw new ConsoleFailure({
      code: 'VALIDATION',
      message: 'Only an https:// address has a certificate.',
      fields: [{ field: 'url', message: 'must start with https://' }],
    });
  const { cert, authorized, problem } = await peerCertificate(url);
  const issuer = (cert as DetailedPeerCertificate).issuerCertificate;
  const name = (n: PeerCertificate['subject'] | undefined) => [n?.CN, n?.O].filter(Boolean).join(', ') || '(no name)';
  return {
    host: url.host,
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    valid_from: new Date(cert.valid_from).toISOString(),
    valid_to: new Date(cert.valid_to).toISOString(),
    fingerprint256: normalize(cert.fingerprint256),
    self_signed: issuer?.fingerprint256 === cert.fingerprint256,
    trusted: authorized,
    problem,
  };
}

/** An agent provider for the profile's address, or undefined when the system's trust applies (or the address is plain HTTP). */
export function httpsAgentFor(rawUrl: string, trust: TlsTrust): (() => Promise<HttpsAgent | undefined>) | undefined {
  const url = new URL(rawUrl);
  if (url.protocol !== 'https:' || (!trust.caFile && !trust.pinnedCertificate)) return undefined;
  if (trust.pinnedCertificate) {
    const pin = normalize(trust.pinnedCertificate);
    return async () => {
      const { cert } = await peerCertificate(url);
      if (normalize(cert.fingerprint256) !== pin) {
        throw tlsFailure(
          `The certificate of ${url.host} is not the one allowed for this connection (it is now SHA-256 ${normalize(cert.fingerprint256)}): check with the server's administrator before allowing the new one.`,
        );
      }
      return new HttpsAgent({
        ca: pem(cert.raw),
        keepAlive: true,
        checkServerIdentity: (_host, presented) =>
          normalize(presented.fingerprint256) === pin ? undefined : tlsFailure(`The certificate of ${url.host} changed during the session.`),
      });
    };
  }
  const file = trust.caFile!;
  return async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw tlsFailure(`Cannot read the certificate authority file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw tlsFailure(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
    return new HttpsAgent({ ca: text, keepAlive: true });
  };
}

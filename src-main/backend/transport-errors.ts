import { ConsoleFailure } from '../../src-shared/console-errors.ts';

/**
 * Failures below HTTP (no status came back), as one sentence naming the host.
 * The original error is never passed on: axios errors carry the request
 * config, headers and so the credential included.
 */
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_EXPIRED']);
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);
const WRONG_NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const NO_LISTENER = new Set(['ECONNREFUSED']);
const NO_NAME = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMED_OUT = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ERR_CANCELED', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const NO_ROUTE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL']);

/** The most specific code on the error or its causes (axios copies the socket's code, but not always). */
export function errorCodeOf(err: unknown): string | undefined {
  let e: unknown = err;
  let fallback: string | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      // ERR_NETWORK / ERR_BAD_RESPONSE are axios's own umbrella codes: a cause usually says more.
      if (!code.startsWith('ERR_NETWORK') && code !== 'ERR_BAD_RESPONSE') return code;
      fallback ??= code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return fallback;
}

export function failureFromTransport(err: unknown, host: string, timeoutMs: number): ConsoleFailure {
  const code = errorCodeOf(err) ?? 'UNKNOWN';
  // The TLS code goes in the message, not serverCode: it is this computer's verdict, not the server's.
  const tls = (message: string) => new ConsoleFailure({ code: 'TLS', message: `${message.replace(/\.$/, '')} (${code}).` });
  const unreachable = (message: string) => new ConsoleFailure({ code: 'UNREACHABLE', message });

  if (EXPIRED.has(code)) return tls(`The certificate of ${host} has expired or is not valid yet: renew it, or check this computer's clock.`);
  if (UNTRUSTED.has(code))
    return tls(
      `The certificate of ${host} is self-signed or issued by an authority this computer does not trust: trust its certificate authority, or connect over a trusted certificate.`,
    );
  if (WRONG_NAME.has(code)) return tls(`The certificate of ${host} was issued for another name: connect with the name on the certificate.`);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO')
    return tls(`${host} did not answer over TLS: if it serves plain HTTP, use an http:// address.`);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_')) return tls(`The secure connection to ${host} failed.`);

  if (NO_LISTENER.has(code)) return unreachable(`Nothing is listening at ${host}: is the server running, and is the port right?`);
  if (NO_NAME.has(code)) return unreachable(`The name ${host} could not be resolved: check the address and this computer's network.`);
  if (DROPPED.has(code)) return unreachable(`The connection to ${host} was closed before it answered: check the address and port.`);
  if (TIMED_OUT.has(code)) return unreachable(`${host} did not answer within ${Math.round(timeoutMs / 100) / 10} seconds.`);
  if (NO_ROUTE.has(code)) return unreachable(`${host} cannot be reached from this computer's network.`);
  if (code.startsWith('HPE_')) return unreachable(`${host} did not answer in HTTP: check the address and port.`);
  return unreachable(`Could not reach ${host} (${code}).`);
}

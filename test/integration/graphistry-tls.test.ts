// A Graphistry over HTTPS: the reference peer behind a TLS-terminating proxy
// (Django then checks Referer on every form post). Trust is per profile: a CA
// file, or one allowed self-signed certificate pinned by its fingerprint.
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendFactory } from '../../src-main/backend/backend-factory.ts';
import { inspectCertificate } from '../../src-main/backend/tls-trust.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';
import { failure } from '../helpers/failure.ts';
import { opensslMissing, selfSigned, startTlsProxy, type Certificate, type TlsProxy } from '../helpers/tls-proxy.ts';

const missing = (await djangoMissing()) ?? opensslMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the HTTPS tests of the remote Graphistry backend.\n\n`);

(missing ? describe.skip : describe)('a remote Graphistry over HTTPS (reference peer behind a TLS proxy)', () => {
  let peer: DjangoPeer;
  let named: Certificate;
  let misnamed: Certificate;
  let byCa: TlsProxy;
  let byPin: TlsProxy;
  const backends = createBackendFactory({ timeoutMs: 5_000 });
  const signIn = (target: Parameters<typeof backends.backendFor>[0]) =>
    backends
      .backendFor(target, 'remote-graphistry')
      .withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => PEER_ADMIN.password });

  beforeAll(async () => {
    peer = await startDjangoPeer({ tlsProxy: true });
    named = selfSigned('IP:127.0.0.1');
    // A self-signed certificate for another name, as appliances often have: only pinning it makes it usable.
    misnamed = selfSigned('DNS:graphistry.invalid', 'graphistry.invalid');
    byCa = await startTlsProxy(peer.url, named);
    byPin = await startTlsProxy(peer.url, misnamed);
  }, 90_000);
  afterAll(async () => {
    await byCa?.close();
    await byPin?.close();
    await peer?.stop();
    named?.cleanup();
    misnamed?.cleanup();
  });

  it('refuses a certificate this computer does not trust, naming the host', async () => {
    const e = await failure(backends.detect({ url: byCa.url }));
    expect(e).toMatchObject({ code: 'TLS', message: expect.stringContaining(new URL(byCa.url).host) });
    expect(e.message).toMatch(/self-signed|does not trust/);
  });

  it('with the profile CA file: detects a Graphistry, signs in and posts its forms (Django checks the Referer over HTTPS)', async () => {
    expect(await backends.detect({ url: byCa.url, ca_file: named.file })).toBe('remote-graphistry');
    const admin = signIn({ url: byCa.url, ca_file: named.file });
    expect((await admin.me()).username).toBe(PEER_ADMIN.username);
    const created = await admin.createUser({ username: 'tls.user', password: 'a passphrase over tls', is_staff: true });
    expect(created.user).toMatchObject({ username: 'tls.user', is_staff: true });
    expect((await admin.setSettings({ IS_SIGNUPS_OPEN_AFTER_FIRST: true })).find((s) => s.key === 'IS_SIGNUPS_OPEN_AFTER_FIRST')?.value).toBe(true);

    // The control: a sign-in post without a Referer is refused by Django over HTTPS, the same one with it is not; so the console's Referer matters.
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const cookie = 'csrftoken=abcdefghijklmnopqrstuvwxyz012345';
        const req = request(
          `${byCa.url}/admin/login/`,
          { method: 'POST', ca: named.cert, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('csrfmiddlewaretoken=abcdefghijklmnopqrstuvwxyz012345&username=admin&password=not-it');
      });
    expect(await post({})).toBe(403);
    expect(await post({ referer: `${byCa.url}/admin/login/` })).toBe(200);
  });

  it('shows the certificate before it is allowed, and with its fingerprint pinned works despite the other name', async () => {
    const info = await inspectCertificate(byPin.url);
    const fingerprint = new X509Certificate(misnamed.cert).fingerprint256;
    expect(info).toMatchObject({
      fingerprint256: fingerprint,
      self_signed: true,
      trusted: false,
      subject: 'graphistry.invalid',
      problem: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(await backends.detect({ url: byPin.url, pinned_certificate: fingerprint })).toBe('remote-graphistry');
    const admin = signIn({ url: byPin.url, pinned_certificate: fingerprint });
    expect((await admin.listUsers({ ordering: 'username' })).results.map((u) => u.username)).toContain(PEER_ADMIN.username);
  });

  it('refuses a pinned fingerprint that is not the certificate presented, and a CA file of another certificate', async () => {
    const other = new X509Certificate(named.cert).fingerprint256;
    expect(await failure(backends.detect({ url: byPin.url, pinned_certificate: other }))).toMatchObject({
      code: 'TLS',
      message: expect.stringContaining('not the one allowed'),
    });
    expect((await failure(backends.detect({ url: byPin.url, ca_file: named.file }))).code).toBe('TLS');
  });
});

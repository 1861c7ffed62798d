import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src-server/config.ts';
import { dialects, makeTestApp, type TestApp } from '../helpers/app.ts';

describe.each(dialects())('client address behind proxies (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  /** The address the audit log records for one failed sign-in sent from `peer` with these X-Forwarded-For entries. */
  async function auditedAddress(peer: string, xff: string | null, headers: Record<string, string> = {}): Promise<string | null> {
    await t.app.inject({
      method: 'POST',
      url: '/api-token-auth/',
      remoteAddress: peer,
      headers: { ...(xff === null ? {} : { 'x-forwarded-for': xff }), ...headers },
      payload: { username: 'nobody', password: 'whatever it is' },
    });
    const row = await t.db.read.selectFrom('audit_log').select('client_ip').orderBy('id', 'desc').executeTakeFirstOrThrow();
    return row.client_ip;
  }

  it('regression: TRUST_PROXY=true took the leftmost, client-chosen X-Forwarded-For entry; it now means one proxy hop', async () => {
    t = await makeTestApp(dialect, { config: { trustProxy: 'true' } });
    // The client sent "6.6.6.6"; our one proxy (127.0.0.1) appended the address it saw.
    expect(await auditedAddress('127.0.0.1', '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
    expect(await auditedAddress('127.0.0.1', '203.0.113.8')).toBe('203.0.113.8');
  });

  it('TRUST_PROXY=2 takes the entry two hops from the right', async () => {
    t = await makeTestApp(dialect, { config: { trustProxy: '2' } });
    expect(await auditedAddress('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1')).toBe('203.0.113.9');
  });

  it('a list of proxy addresses: the client is the rightmost address that is not a proxy', async () => {
    t = await makeTestApp(dialect, { config: { trustProxy: '127.0.0.1, 10.0.0.0/8' } });
    expect(await auditedAddress('127.0.0.1', '6.6.6.6, 203.0.113.10, 10.1.2.3')).toBe('203.0.113.10');
    // A peer that is not a listed proxy is the client, whatever it claims.
    expect(await auditedAddress('198.51.100.4', '6.6.6.6')).toBe('198.51.100.4');
  });

  it('without TRUST_PROXY the headers are ignored, X-Forwarded-Proto included', async () => {
    t = await makeTestApp(dialect);
    expect(await auditedAddress('127.0.0.1', '6.6.6.6')).toBe('127.0.0.1');
    const res = await t.app.inject({
      method: 'POST',
      url: '/accounts/login/',
      remoteAddress: '198.51.100.4',
      headers: { 'x-forwarded-proto': 'https', origin: 'https://localhost:80' },
    });
    expect(res.statusCode).toBe(403); // the Origin check compares against http://, as the socket was plain
  });
});

describe('TRUST_PROXY values', () => {
  const parse = (v: string) => loadConfig({ dataDir: '/tmp/x', trustProxy: v }, {}, {}).trustProxy;
  it.each([
    ['false', false],
    ['0', false],
    ['true', { hops: 1 }],
    ['1', { hops: 1 }],
    ['3', { hops: 3 }],
    ['loopback, 10.0.0.0/8, ::1, fd00::/8', { proxies: ['loopback', '10.0.0.0/8', '::1', 'fd00::/8'] }],
  ])('%s', (raw, expected) => {
    expect(parse(raw)).toEqual(expected);
  });
  it.each(['10.0.0.0/33', 'proxy.example', '1.2.3', '-1', '99', '10.0.0.1/8/1'])('refuses %s, naming the setting', (raw) => {
    expect(() => parse(raw)).toThrow(ConfigError);
    expect(() => parse(raw)).toThrow(/TRUST_PROXY/);
  });
});

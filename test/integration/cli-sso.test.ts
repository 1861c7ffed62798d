import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialects, STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { createSchema, dropSchema, urlWithSchema } from '../helpers/postgres.ts';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts';

const BIN = fileURLToPath(new URL('../../bin/graphistry-admin.js', import.meta.url));

// The tests read the commands' JSON answers field by field, as a script would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;
/** Asynchronous: the test IdP answers the command's discovery from this process, so this process must not block. */
function cli(args: string[], input = ''): Promise<{ code: number; out: string; err: string; json: () => Answer }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, GRAPHISTRY_ADMIN_PASSWORD: '' } }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err, json: () => JSON.parse(out) as Answer }),
    );
    child.stdin!.end(input);
  });
}

describe.each(dialects())('graphistry-admin sso (%s)', (dialect) => {
  let dataDir: string;
  let schema: string | null = null;
  let base: string[] = [];
  let idp: TestIdp;

  beforeAll(async () => {
    dataDir = tempDir();
    base = ['--data-dir', dataDir];
    if (dialect === 'postgres') {
      schema = await createSchema();
      base.push('--database-url', urlWithSchema(schema));
    }
    idp = await startTestIdp({ redirectUris: ['http://localhost:8000/g/sso/oidc/corp/login/callback'] });
  });
  afterAll(async () => {
    await idp?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  });

  it('adds (secret from a file, never printed), lists, tests and removes IdPs, site-wide and per organization', async () => {
    expect((await cli(['createsuperuser', '--username', 'root', '--password-stdin', ...base], `${STRONG_PASSWORD}\n`)).code).toBe(0);
    expect((await cli(['orgs', 'create', 'acme', ...base])).code).toBe(0);
    const secretFile = join(dataDir, 'secret.txt');
    writeFileSync(secretFile, `${idp.clientSecret}\n`, { mode: 0o600 });

    expect((await cli(['sso', 'add', 'corp', ...base])).code).toBe(2);
    const bad = await cli(['sso', 'add', 'corp', '--issuer', 'http://127.0.0.1:9/x', '--client-id', 'c', ...base]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('SSO_DISCOVERY_FAILED');

    const added = await cli([
      'sso',
      'add',
      'corp',
      '--issuer',
      idp.issuer,
      '--client-id',
      idp.clientId,
      '--client-secret-file',
      secretFile,
      '--template',
      'keycloak',
      '--link-verified-email',
      '--json',
      ...base,
    ]);
    expect(added.code, added.err).toBe(0);
    expect(added.json()).toMatchObject({ name: 'corp', organization: null, template: 'keycloak', has_client_secret: true, link_verified_email: true });
    const inOrg = await cli(['sso', 'add', 'corp', '--org', 'acme', '--issuer', idp.issuer, '--client-id', idp.clientId, ...base]);
    expect(inOrg.code, inOrg.err).toBe(0);
    expect(inOrg.out).toContain('/o/acme/sso/oidc/corp/login/callback');

    const listed = await cli(['sso', 'list', '--json', ...base]);
    expect(listed.json().results.map((p: Answer) => p.name)).toEqual(['corp']);
    expect((await cli(['sso', 'list', '--org', 'acme', ...base])).out).toMatch(/corp\s+acme\s+custom/);

    const tested = await cli(['sso', 'test', 'corp', '--json', ...base]);
    expect(tested.code, tested.err).toBe(0);
    expect(tested.json()).toMatchObject({ ok: true, issuer: idp.issuer, jwks_keys: 1 });
    expect(tested.json().authorization_url).toContain(encodeURIComponent('http://localhost:8000/g/sso/oidc/corp/login/callback'));

    for (const r of [added, inOrg, listed, tested]) expect(r.out + r.err).not.toContain(idp.clientSecret);
    const audit = await cli(['audit', '--json', ...base]);
    expect(audit.out).toContain('sso.provider.create');
    expect(audit.out).not.toContain(idp.clientSecret);

    expect((await cli(['sso', 'remove', 'corp', '--org', 'acme', ...base])).code).toBe(0);
    const gone = await cli(['sso', 'remove', 'corp', '--org', 'acme', ...base]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain('SSO_PROVIDER_NOT_FOUND');
  }, 120_000);
});

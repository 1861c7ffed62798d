import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCreateUser, bearer, dialects, json, makeTestApp, signup, STRONG_PASSWORD, type SignedUp, type TestApp } from '../helpers/app.ts';
import { makeOrg } from '../helpers/org-rows.ts';
import { PYGRAPHISTRY_DIR, PYTHON, pyclientScript, pygraphistryEnv } from '../helpers/pygraphistry.ts';

/**
 * Graphistry's own Python client, unmodified, signing in to organizations:
 * pygraphistry at the commit in test/fixtures/pygraphistry/COMMIT (vendored:
 * PyPI is out of reach here and in CI), its imports from Debian's
 * python3-requests, python3-numpy, python3-pandas and python3-typing-extensions, and a pyarrow stand-in
 * (Debian bookworm has no pyarrow for its Python; register() never uses it).
 * A real server on 127.0.0.1 on each database; what the client sent is read
 * back from the server's own request log.
 */

const SCRIPT = pyclientScript('register_org.py');
const run = promisify(execFile);

async function clientMissing(): Promise<string | null> {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  try {
    await run(PYTHON, ['-c', 'import graphistry'], { env: pygraphistryEnv(), timeout: 120_000 });
    return null;
  } catch (e) {
    const why = String((e as { stderr?: string }).stderr ?? e)
      .trim()
      .split('\n')
      .pop();
    return `pygraphistry does not import under ${PYTHON} (${why}; apt-get install python3-requests python3-numpy python3-pandas python3-typing-extensions)`;
  }
}

const missing = await clientMissing();
if (missing && process.env.CI === 'true') throw new Error(`${missing}: required under CI=true`);
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the pygraphistry organization sign-in tests.\n\n`);

/** Git's blob id of a file: what `git ls-tree` lists for it at the vendored commit. */
const blobSha1 = (data: Buffer) =>
  createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]))
    .digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('vendored pygraphistry', () => {
  it('is byte for byte the upstream commit it names (every file in MANIFEST, nothing else)', () => {
    expect(readFileSync(join(PYGRAPHISTRY_DIR, 'COMMIT'), 'utf8').trim()).toMatch(/^[0-9a-f]{40}$/);
    const manifest = new Map(
      readFileSync(join(PYGRAPHISTRY_DIR, 'MANIFEST'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => {
          const [sha, path] = l.split(/\s+/, 2) as [string, string];
          return [path, sha] as const;
        }),
    );
    const onDisk = filesUnder(PYGRAPHISTRY_DIR)
      .map((f) => relative(PYGRAPHISTRY_DIR, f))
      .filter((f) => !['COMMIT', 'MANIFEST', 'README.md'].includes(f) && !f.includes('__pycache__'));
    expect(onDisk.sort()).toEqual([...manifest.keys()].sort());
    for (const [path, sha] of manifest) expect(blobSha1(readFileSync(join(PYGRAPHISTRY_DIR, path))), path).toBe(sha);
  });
});

interface ClientResult {
  ok: boolean;
  token?: string;
  error?: string;
}

(missing ? describe.skip : describe).each(dialects())('pygraphistry register(org_name=…) against the server (%s)', (dialect) => {
  let t: TestApp;
  let server: string;
  let member: SignedUp;
  let outsider: SignedUp;
  const requests: string[] = [];

  beforeAll(async () => {
    t = await makeTestApp(dialect, {
      log: {
        write: (chunk: string) => {
          for (const line of chunk.split('\n').filter(Boolean)) requests.push((JSON.parse(line) as { msg: string }).msg);
        },
      },
    });
    const admin = await signup(t.app, 'admin');
    member = await adminCreateUser(t.app, admin.token, { username: 'ana' });
    outsider = await adminCreateUser(t.app, admin.token, { username: 'ben' });
    await makeOrg(t.db, 'acme', [[member.user.id, 'member']]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    server = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => t?.close());

  /** One `graphistry.register(...)` in a fresh interpreter; the request lines the server logged meanwhile. */
  async function register(org: string, creds: { password: SignedUp } | { key: SignedUp }): Promise<{ result: ClientResult; seen: string[] }> {
    requests.length = 0;
    const env: Record<string, string> =
      'password' in creds
        ? { USERNAME: creds.password.user.username, PASSWORD: STRONG_PASSWORD }
        : { KEY_ID: creds.key.key.id, KEY_SECRET: creds.key.key.secret };
    const { stdout } = await run(PYTHON, [SCRIPT], { env: pygraphistryEnv({ SERVER: server, ORG: org, ...env }), timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as ClientResult;
    // A request's line is written once its answer has gone out; let the last one land.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen = requests.filter((r) => /^[A-Z]+ \//.test(r)).map((r) => r.replace(/ \d{3}$/, ''));
    return { result, seen };
  }

  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { username: string; org?: string };

  async function activeOrg(token: string) {
    const res = await t.app.inject({ method: 'GET', url: '/api/v2/organizations/active', headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return json<{ slug: string; personal: boolean }>(res);
  }

  const SWITCH = 'POST /api/v2/o/acme/switch/';
  const afterSignIn = [SWITCH, 'POST /api/v2/auth/token/refresh', SWITCH, SWITCH];

  it('a member signs in with a password: the client switched to acme and its token is acme', async () => {
    const { result, seen } = await register('acme', { password: member });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(seen).toEqual(['POST /api-token-auth/', ...afterSignIn]);
    expect(claimsOf(result.token!)).toMatchObject({ username: 'ana', org: 'acme' });
    expect(await activeOrg(result.token!)).toMatchObject({ slug: 'acme', personal: false });
  });

  it('a member signs in with a personal key: the same', async () => {
    const { result, seen } = await register('acme', { key: member });
    expect(result.error).toBeUndefined();
    expect(seen).toEqual(['GET /api/v2/auth/pkey/jwt/', ...afterSignIn]);
    expect(claimsOf(result.token!)).toMatchObject({ username: 'ana', org: 'acme' });
    expect(await activeOrg(result.token!)).toMatchObject({ slug: 'acme', personal: false });
  });

  it('org_name in another case signs in too (the answer echoes the spelling sent)', async () => {
    const { result, seen } = await register('ACME', { password: member });
    expect(result.error).toBeUndefined();
    expect(seen).toContain('POST /api/v2/o/ACME/switch/');
    expect(claimsOf(result.token!).org).toBe('acme');
  });

  it("a non-member is refused with pygraphistry's own not-a-member error, by password and by key", async () => {
    for (const creds of [{ password: outsider }, { key: outsider }]) {
      const { result, seen } = await register('acme', creds);
      expect(result).toEqual({ ok: false, error: 'You are not authorized or not a member of acme' });
      expect(seen).not.toContain(SWITCH);
    }
  });

  it("an unknown organization is refused with pygraphistry's own not-found error", async () => {
    for (const creds of [{ password: member }, { key: member }]) {
      const { result } = await register('nowhere', creds);
      expect(result).toEqual({ ok: false, error: 'Organization nowhere is not found' });
    }
  });
});

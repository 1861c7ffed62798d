import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { STRONG_PASSWORD, tempDir } from '../helpers/app.ts';
import { get, post, startServer, type ServerProcess } from '../helpers/server-process.ts';

describe('data dir: database + .env', () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  const start = async (d: string) => {
    const s = await startServer(['--data-dir', d]);
    servers.push(s);
    return s;
  };

  it('creates .env with mode 0600; a copied data dir keeps keys and tokens; a different .env does not', async () => {
    const original = dir();
    const a = await start(original);
    expect(statSync(`${original}/.env`).mode & 0o777).toBe(0o600);
    const su = await post(`${a.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD });
    expect(su.status).toBe(201);
    const key = su.body.key as { authorization: string };
    const token = su.body.token as string;
    await a.stop();

    const copy = dir();
    cpSync(original, copy, { recursive: true });
    const b = await start(copy);
    expect((await post(`${b.url}/api/v2/auth/pkey/jwt/`, {}, { authorization: key.authorization })).status).toBe(200);
    expect((await get(`${b.url}/api/v2/me`, { authorization: `Bearer ${token}` })).body.username).toBe('admin');
    expect(b.stderr()).not.toMatch(/not the ones this database was created with/);
    await b.stop();

    const lost = dir();
    cpSync(original, lost, { recursive: true });
    unlinkSync(`${lost}/.env`);
    const c = await start(lost);
    expect(readFileSync(`${lost}/.env`, 'utf8')).not.toEqual(readFileSync(`${original}/.env`, 'utf8'));
    const exchange = await post(`${c.url}/api/v2/auth/pkey/jwt/`, {}, { authorization: key.authorization });
    expect(exchange.status).toBe(401);
    expect((await get(`${c.url}/api/v2/me`, { authorization: `Bearer ${token}` })).status).toBe(401);
    // Exactly one clear line says why.
    expect(c.stderr().match(/not the ones this database was created with/g)).toHaveLength(1);
    // Passwords still work: they do not depend on .env.
    expect((await post(`${c.url}/api-token-auth/`, { username: 'admin', password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('no secret appears in the log', async () => {
    const d = dir();
    const s = await start(d);
    const su = await post(`${s.url}/api/v2/auth/signup`, { username: 'admin', password: STRONG_PASSWORD });
    const key = su.body.key as { secret: string };
    await post(`${s.url}/api/v2/auth/pkey/jwt/`, {}, { authorization: `PersonalKey ${(su.body.key as { id: string }).id}:${key.secret}` });
    await post(`${s.url}/api-token-auth/`, { username: 'admin', password: 'wrong password here' });
    await s.stop();
    const log = s.stderr();
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [STRONG_PASSWORD, key.secret, su.body.token as string, 'wrong password here']) expect(log).not.toContain(secret);
    const env = readFileSync(`${d}/.env`, 'utf8');
    for (const line of env.split('\n').filter((l) => l.includes('='))) expect(log).not.toContain(line.split('=')[1]!);
  });

  it('one server per SQLite data dir: a second is refused naming the first; a clean stop frees it; a stale lock is taken over', async () => {
    const d = dir();
    const a = await start(d);
    expect(readFileSync(`${d}/server.lock`, 'utf8').split('\n')[0]).toBe(String(a.proc.pid));
    const refused = startServer(['--data-dir', d]);
    await expect(refused).rejects.toThrow(/exited with 1 before listening/);
    await expect(refused).rejects.toThrow(new RegExp(`the data dir ${d} is in use by another graphistry-admin server \\(pid ${a.proc.pid}\\)`));
    // The refused one never listened, and the first one still answers.
    expect((await get(`${a.url}/ht/`)).status).toBe(200);
    await a.stop();
    expect(existsSync(`${d}/server.lock`)).toBe(false);

    // A lock left by a process that no longer exists (a server killed with -9, a reboot).
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${d}/server.lock`, `${dead}\n`);
    const b = await start(d);
    expect(readFileSync(`${d}/server.lock`, 'utf8').split('\n')[0]).toBe(String(b.proc.pid));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/app.ts';
import { manualClock } from '../../src-server/lib/clock.ts';
import { createProfilesStore, type CorruptFile } from '../../src-main/profiles/profiles-store.ts';
import type { ProfileInput } from '../../src-main/contracts.ts';

describe('profiles store (real files)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const setup = () => {
    const root = tempDir();
    dirs.push(root);
    const dir = join(root, 'app-data');
    const clock = manualClock();
    const notices: CorruptFile[] = [];
    return { dir, clock, notices, store: createProfilesStore(dir, clock, { onCorrupt: (c) => notices.push(c) }), file: join(dir, 'profiles.json') };
  };

  it('creates, reads, updates, touches and removes; a second store on the folder sees the same', async () => {
    const { dir, clock, store } = setup();
    const bundled = await store.save({ name: 'Bundled server', kind: 'bundled' });
    expect(bundled).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      name: 'Bundled server',
      kind: 'bundled',
      created_at: '2026-01-01T00:00:00.000Z',
      last_used_at: null,
    });
    clock.advance(60_000);
    const remote = await store.save({ name: 'hub', kind: 'remote', url: 'https://hub.example.com/', username: 'ops' });
    // One spelling per server: the final slash is dropped, clients add their own paths.
    expect(remote.url).toBe('https://hub.example.com');
    expect((await store.list()).map((p) => p.name)).toEqual(['Bundled server', 'hub']);

    const renamed = await store.save({ id: remote.id, name: 'Hub (prod)', kind: 'remote', url: 'https://hub.example.com' });
    expect(renamed).toMatchObject({ id: remote.id, name: 'Hub (prod)', created_at: '2026-01-01T00:01:00.000Z' });
    expect(renamed.username).toBeUndefined();
    clock.advance(60_000);
    await store.touch(bundled.id);
    expect((await createProfilesStore(dir).get(bundled.id))?.last_used_at).toBe('2026-01-01T00:02:00.000Z');

    await store.remove(bundled.id);
    expect(await store.get(bundled.id)).toBeNull();
    expect((await store.list()).map((p) => p.id)).toEqual([remote.id]);
    for (const op of [store.remove(bundled.id), store.touch(bundled.id), store.save({ id: bundled.id, name: 'x', kind: 'bundled' })]) {
      await expect(op).rejects.toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('refuses bad input with a VALIDATION error naming each field', async () => {
    const { store, file } = setup();
    const fieldsOf = async (input: ProfileInput) => {
      const e: unknown = await store.save(input).catch((x: unknown) => x);
      expect(e).toMatchObject({ error: { code: 'VALIDATION' } });
      return (e as { error: { fields: Array<{ field: string }> } }).error.fields.map((f) => f.field);
    };
    expect(await fieldsOf({ name: 'r', kind: 'remote' })).toEqual(['url']);
    expect(await fieldsOf({ name: 'b', kind: 'bundled', url: 'https://x.example' })).toEqual(['url']);
    expect(await fieldsOf({ name: '   ', kind: 'remote', url: 'ftp://x.example' })).toEqual(['name', 'url']);
    // A password in the URL would sit in a plain-text file.
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://admin:hunter22@x.example' })).toEqual(['url']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example/?token=abc' })).toEqual(['url']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example', username: 'bad name' })).toEqual(['username']);
    expect(() => statSync(file)).toThrow();
  });

  it('keeps names unique without regard to case or blanks (CONFLICT on name)', async () => {
    const { store } = setup();
    const prod = await store.save({ name: 'Prod', kind: 'remote', url: 'https://prod.example' });
    const e: unknown = await store.save({ name: ' prod ', kind: 'bundled' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ error: { code: 'CONFLICT', fields: [{ field: 'name' }] } });
    // Renaming a profile to another spelling of its own name is not a conflict.
    expect((await store.save({ id: prod.id, name: 'PROD', kind: 'remote', url: 'https://prod.example' })).name).toBe('PROD');
    expect(await store.list()).toHaveLength(1);
  });

  it('writes atomically (0700 folder, 0600 file, no temp file left) and loses no concurrent save', async () => {
    const { dir, store, file } = setup();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save({ name: `server ${i}`, kind: 'remote', url: `https://s${i}.example` })));
    expect(await store.list()).toHaveLength(20);
    expect(readdirSync(dir)).toEqual(['profiles.json']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, profiles: expect.any(Array) });
  });

  it('moves a corrupt file aside, says where, and starts empty; refuses a newer format untouched', async () => {
    const { dir, store, file, notices } = setup();
    await store.save({ name: 'a', kind: 'bundled' });
    for (const garbage of ['{"version":1,"profiles":[{"oops', JSON.stringify({ version: 1, profiles: [{ id: 'no spaces allowed', name: 'x' }] })]) {
      writeFileSync(file, garbage);
      expect(await store.list()).toEqual([]);
      const notice = notices.pop()!;
      expect(notice.movedTo).toMatch(/profiles\.json\.corrupt-2026-01-01T00-00-00-000Z$/);
      expect(readFileSync(notice.movedTo, 'utf8')).toBe(garbage);
      // The sentence names the file, not its content (which could be anything).
      expect(notice.message).toContain(notice.movedTo);
      expect(notice.message).not.toContain('oops');
      rmSync(notice.movedTo);
    }
    expect((await store.save({ name: 'fresh', kind: 'bundled' })).name).toBe('fresh');

    const newer = JSON.stringify({ version: 2, profiles: [] });
    writeFileSync(file, newer);
    await expect(store.list()).rejects.toMatchObject({ error: { code: 'INTERNAL', message: expect.stringMatching(/newer version/) } });
    expect(readFileSync(file, 'utf8')).toBe(newer);
    expect(readdirSync(dir)).toEqual(['profiles.json']);
  });

  it('never holds a secret: no field for one, and one pasted into the file is gone at the next write', async () => {
    const { store, file } = setup();
    const input = { name: 'hub', kind: 'remote', url: 'https://hub.example', username: 'ops', password: 'S3cret-in-input' } as ProfileInput;
    await expect(store.save(input)).rejects.toMatchObject({ error: { code: 'VALIDATION', fields: [{ field: 'password' }] } });
    const p = await store.save({ name: 'hub', kind: 'remote', url: 'https://hub.example', username: 'ops' });

    const doc = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Array<Record<string, unknown>> };
    doc.profiles[0]!.secret = 'S3cret-pasted-by-hand';
    writeFileSync(file, JSON.stringify(doc));
    expect(await store.get(p.id)).not.toHaveProperty('secret');
    await store.touch(p.id);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/S3cret|password|secret|token/i);
    expect(Object.keys(JSON.parse(text).profiles[0]).sort()).toEqual(['created_at', 'id', 'kind', 'last_used_at', 'name', 'url', 'username']);
  });

  it('keeps how a Graphistry is reached: its admin path (one spelling, the default left out), a CA file that exists, or a pinned fingerprint', async () => {
    const { store } = setup();
    const root = tempDir();
    dirs.push(root);
    const ca = join(root, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    const pin = `${'ab:'.repeat(31)}ab`;
    const hub = await store.save({ name: 'hub', kind: 'remote', url: 'https://hub.example', admin_path: 'portal/admin', pinned_certificate: pin });
    expect(hub).toMatchObject({ admin_path: '/portal/admin/', pinned_certificate: pin.toUpperCase() });
    expect(
      (await store.save({ id: hub.id, name: 'hub', kind: 'remote', url: 'https://hub.example', admin_path: '/admin/', ca_file: ca })).admin_path,
    ).toBeUndefined();
    expect((await store.get(hub.id))?.ca_file).toBe(ca);
    const fieldsOf = async (input: ProfileInput) =>
      ((await store.save(input).catch((e: unknown) => e)) as { error: { fields: Array<{ field: string }> } }).error.fields.map((f) => f.field);
    expect(await fieldsOf({ name: 'b', kind: 'bundled', admin_path: '/admin/' })).toEqual(['admin_path']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'http://plain.example', ca_file: ca })).toEqual(['ca_file']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example', ca_file: join(root, 'missing.pem') })).toEqual(['ca_file']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example', ca_file: 'relative.pem' })).toEqual(['ca_file']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example', ca_file: ca, pinned_certificate: pin })).toEqual(['pinned_certificate']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example', admin_path: '/../etc/' })).toEqual(['admin_path']);
    expect(await fieldsOf({ name: 'r', kind: 'remote', url: 'https://x.example', pinned_certificate: 'not a fingerprint' })).toEqual(['pinned_certificate']);
  });
});

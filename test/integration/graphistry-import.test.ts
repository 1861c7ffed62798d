// Importing users into a Graphistry (the reference Django peer), which has
// no import and no transactions: rows go one at a time through its admin,
// with progress, and a run stopped halfway leaves a journal that says
// exactly which rows were written, checked against Django's own database.
// IMPORT_ROWS sets the file's size (default 16; the console test runs 40, and the figure is 200).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteGraphistryBackend, type RemoteBackend } from '../../src-main/backend/remote/remote-backend.ts';
import { openImportJournal, readImportJournal } from '../../src-main/bulk/import-journal.ts';
import { importOneByOne, type OneByOneRow } from '../../src-main/bulk/one-by-one-import.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const ROWS = Number(process.env.IMPORT_ROWS ?? 16);
const missing = await djangoMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the remote import tests.\n\n`);

const rows: OneByOneRow[] = Array.from({ length: ROWS }, (_, i) => {
  const n = String(i + 1).padStart(3, '0');
  return { line: i + 2, username: `imp${n}`, email: `imp${n}@example.com`, is_staff: i % 10 === 0, is_active: i % 7 !== 3 };
});

/** Django's own view of the imported accounts: `username email staff active usable-password`, one per line, by username. */
async function djangoAccounts(peer: DjangoPeer): Promise<string[]> {
  const out = await peer.shell(
    `from django.contrib.auth import get_user_model
for u in get_user_model().objects.filter(username__startswith='imp').order_by('username'):
    print(u.username, u.email, int(u.is_staff), int(u.is_active), int(u.has_usable_password()))`,
  );
  return out.split('\n').filter((l) => l.startsWith('imp'));
}

const expected = (r: OneByOneRow) => `${r.username} ${r.email} ${Number(r.is_staff)} ${Number(r.is_active)} 1`;

(missing ? describe.skip : describe)('importing users into a Graphistry, one row at a time', () => {
  let peer: DjangoPeer;
  let admin: RemoteBackend;
  let dir: string;
  beforeAll(async () => {
    peer = await startDjangoPeer();
    await peer.shell(`from django.contrib.auth import get_user_model\nget_user_model().objects.create_user('Zed', 'zed@example.com', 'x')`);
    admin = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
      type: 'admin_password',
      username: PEER_ADMIN.username,
      password: async () => PEER_ADMIN.password,
    }) as RemoteBackend;
    await admin.me();
    dir = mkdtempSync(join(tmpdir(), 'gimport-'));
  }, 90_000);
  afterAll(async () => {
    await peer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run reads each row’s outcome and writes nothing', async () => {
    const posts = () =>
      peer
        .log()
        .split('\n')
        .filter((l) => l.includes('"POST ')).length;
    const before = posts();
    const file: OneByOneRow[] = [
      ...rows.slice(0, 3),
      { line: 90, username: 'zed', email: 'z@example.com' },
      { line: 91, username: 'orgy', organization: 'acme' },
    ];
    const report = await importOneByOne(admin, file, { onExisting: 'error', dryRun: true });
    expect(report.rows.map((r) => [r.line, r.outcome, r.code ?? null])).toEqual([
      [2, 'create', null],
      [3, 'create', null],
      [4, 'create', null],
      [90, 'error', 'USERNAME_TAKEN'],
      [91, 'error', 'UNSUPPORTED'],
    ]);
    expect(report.written).toBe(0);
    expect(await djangoAccounts(peer)).toEqual([]);
    expect(posts()).toBe(before);
  }, 60_000);

  it(`stopped halfway through ${ROWS} rows, the journal names exactly the accounts Django has; run again, the rest are made and the first half skipped`, async () => {
    const journalPath = join(dir, 'run-1.jsonl');
    const journal = openImportJournal(journalPath);
    const stop = new AbortController();
    const progress: number[] = [];
    const started = Date.now();
    const first = await importOneByOne(admin, rows, {
      onExisting: 'skip',
      dryRun: false,
      journal,
      signal: stop.signal,
      onProgress: ({ done, total, written }) => {
        progress.push(done);
        expect(total).toBe(ROWS);
        if (written >= ROWS / 2) stop.abort();
      },
    });
    journal.close();
    const perRow = (Date.now() - started) / first.rows.length;
    process.stderr.write(`remote import: ${first.rows.length} rows written in ${Date.now() - started} ms (${perRow.toFixed(0)} ms a row)\n`);
    expect(statSync(journalPath).mode & 0o777).toBe(0o600);
    expect(first.stopped).toBe(true);
    expect(progress).toEqual(Array.from({ length: ROWS / 2 }, (_, i) => i + 1));
    const report = readImportJournal(journalPath);
    expect(report).toMatchObject({ rows: ROWS, finished: true, stopped: true, refused: [], skipped: [], unknown: [] });
    expect(report.written.map((w) => w.username)).toEqual(rows.slice(0, ROWS / 2).map((r) => r.username));
    expect(await djangoAccounts(peer)).toEqual(rows.slice(0, ROWS / 2).map(expected));

    const second = await importOneByOne(admin, rows, { onExisting: 'skip', dryRun: false });
    expect(second.rows.filter((r) => r.outcome === 'skip').map((r) => r.username)).toEqual(rows.slice(0, ROWS / 2).map((r) => r.username));
    expect(second.rows.filter((r) => r.written).map((r) => r.username)).toEqual(rows.slice(ROWS / 2).map((r) => r.username));
    expect(await djangoAccounts(peer)).toEqual(rows.map(expected));
  }, 600_000);

  it('update changes only the columns that differ; a refused row is reported and the rest go on', async () => {
    const file: OneByOneRow[] = [
      { line: 2, username: 'IMP001', is_staff: !rows[0]!.is_staff },
      { line: 3, username: 'imp002', email: 'imp002@example.com' },
      { line: 4, username: 'zed', is_superuser: true, email: 'not an email' },
      { line: 5, username: 'fresh1', email: 'fresh1@example.com' },
    ];
    const report = await importOneByOne(admin, file, { onExisting: 'update', dryRun: false });
    expect(report.rows.map((r) => [r.line, r.outcome, r.written])).toEqual([
      [2, 'update', true],
      [3, 'skip', false],
      [4, 'error', false],
      [5, 'create', true],
    ]);
    expect(report.rows[2]!.message).toMatch(/email/i);
    const zed = await peer.shell(
      `from django.contrib.auth import get_user_model\nu = get_user_model().objects.get(username='Zed')\nprint(u.email, int(u.is_superuser))`,
    );
    expect(zed.trim().split('\n').at(-1)).toBe('zed@example.com 0');
    const imp1 = (await djangoAccounts(peer)).find((l) => l.startsWith('imp001 '));
    expect(imp1).toBe(`imp001 imp001@example.com ${Number(!rows[0]!.is_staff)} ${Number(rows[0]!.is_active)} 1`);
  }, 120_000);
});

// The console's import into a Graphistry (the Django reference peer), through
// the real console process and its bridge: the run goes one row at a time with
// progress; the console is killed (SIGKILL) halfway, and the journal it left
// names exactly the accounts Django has; the next console lists that run as
// cut off. IMPORT_ROWS sets the file's size (default 40; the figure is 200).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus, ImportJournalView, ImportRunView, Profile } from '../../src-shared/console-api.ts';
import { readImportJournal } from '../../src-main/bulk/import-journal.ts';
import { startConsoleWeb, type ConsoleWeb } from '../helpers/console-web.ts';
import { djangoMissing, PEER_ADMIN, startDjangoPeer, type DjangoPeer } from '../helpers/django-peer.ts';

const ROWS = Number(process.env.IMPORT_ROWS ?? 40);
const missing = await djangoMissing();
if (missing) process.stderr.write(`\n!!! ${missing}: SKIPPING the console's import into a Graphistry.\n\n`);

const csv = [
  'username,email,is_staff',
  ...Array.from({ length: ROWS }, (_, i) => `kim${String(i + 1).padStart(3, '0')},kim${i + 1}@example.com,${i % 9 === 0}`),
].join('\n');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

async function value<T>(c: ConsoleWeb, method: string, params: unknown): Promise<T> {
  const r = await c.bridge<T>(method, params);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** The accounts the import made, as Django has them. */
async function djangoKims(peer: DjangoPeer): Promise<string[]> {
  const out = await peer.shell(
    "from django.contrib.auth import get_user_model\nfor u in get_user_model().objects.filter(username__startswith='kim').order_by('username'): print(u.username)",
  );
  return out.split('\n').filter((l) => l.startsWith('kim'));
}

(missing ? describe.skip : describe)('the console imports into a Graphistry one row at a time, and a killed run leaves an exact journal', () => {
  let peer: DjangoPeer;
  let dataDir: string;
  let consoleWeb: ConsoleWeb | null = null;

  async function connect(): Promise<{ c: ConsoleWeb; connection: string }> {
    const c = await startConsoleWeb(dataDir, { keychain: false });
    consoleWeb = c;
    const profiles = await value<Profile[]>(c, 'listProfiles', {});
    const profile = profiles.find((p) => p.name === 'Peer') ?? (await value<Profile>(c, 'saveProfile', { name: 'Peer', kind: 'remote', url: peer.url }));
    const status = await value<ConnectionStatus>(c, 'signIn', { profileId: profile.id, username: PEER_ADMIN.username, password: PEER_ADMIN.password });
    return { c, connection: status.connection! };
  }

  beforeAll(async () => {
    peer = await startDjangoPeer();
    dataDir = mkdtempSync(join(tmpdir(), 'gadm-import-'));
  }, 90_000);
  afterAll(async () => {
    await consoleWeb?.stop().catch(() => undefined);
    await peer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('checks the file first (progress, nothing written), says how a Graphistry imports, and refuses what it cannot do', async () => {
    const { c, connection } = await connect();
    const status = await value<ConnectionStatus>(c, 'connectionStatus', {});
    expect(status.capabilities?.import_note).toMatch(/one at a time/);
    const started = await value<ImportRunView>(c, 'startImport', { connection, file_name: 'kims.csv', content: b64(csv), dry_run: true });
    let run = started;
    while (run.state === 'running') {
      await new Promise((r) => setTimeout(r, 200));
      run = await value<ImportRunView>(c, 'importStatus', { connection, run: started.run });
    }
    expect(run).toMatchObject({ state: 'done', done: ROWS, total: ROWS, written: 0, journal: null });
    expect(run.report?.counts).toMatchObject({ create: ROWS, error: 0, written: 0 });
    expect(await djangoKims(peer)).toEqual([]);
    const invite = await value<ImportRunView>(c, 'startImport', { connection, file_name: 'kims.csv', content: b64(csv), dry_run: true, mode: 'invite' });
    await new Promise((r) => setTimeout(r, 200));
    const refused = await value<ImportRunView>(c, 'importStatus', { connection, run: invite.run });
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'UNSUPPORTED' } });
    await c.stop();
  }, 300_000);

  it(`killed halfway through ${ROWS} rows: the journal names exactly the accounts Django has, and the next console lists the run as cut off`, async () => {
    const { c, connection } = await connect();
    const started = await value<ImportRunView>(c, 'startImport', { connection, file_name: 'kims.csv', content: b64(csv), dry_run: false, on_existing: 'skip' });
    const seen: number[] = [];
    for (;;) {
      const run = await value<ImportRunView>(c, 'importStatus', { connection, run: started.run });
      seen.push(run.written);
      if (run.written >= ROWS / 2) break;
      expect(run.state).toBe('running');
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(c.pid, 'SIGKILL');
    await c.stop().catch(() => undefined);
    expect(new Set(seen).size).toBeGreaterThan(2); // progress moved while it ran

    const journals = readdirSync(join(dataDir, 'imports'));
    expect(journals).toHaveLength(1);
    const journal = readImportJournal(join(dataDir, 'imports', journals[0]!));
    expect(journal).toMatchObject({ finished: false, rows: ROWS, refused: [], skipped: [] });
    expect(journal.unknown.length).toBeLessThanOrEqual(1);
    const inDjango = await djangoKims(peer);
    const written = journal.written.map((w) => w.username);
    const doubt = journal.unknown.map((u) => u.username);
    // Every row the journal calls written is in Django; anything else in Django is the one row in doubt.
    expect(written.length).toBeGreaterThanOrEqual(ROWS / 2);
    expect(inDjango.filter((u) => !written.includes(u))).toEqual(inDjango.filter((u) => doubt.includes(u)));
    expect(written.every((u) => inDjango.includes(u))).toBe(true);
    process.stderr.write(
      `console import killed: ${written.length} written, ${doubt.length} in doubt (${doubt.join(', ') || 'none'}), Django has ${inDjango.length}\n`,
    );

    const again = await connect();
    const listed = await value<ImportJournalView[]>(again.c, 'importJournals', { connection: again.connection });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ finished: false, written: journal.written, unknown: journal.unknown });
    await again.c.stop();
  }, 600_000);
});

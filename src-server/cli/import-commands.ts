import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { AppError } from '../errors.ts';
import { IMPORT_MAX_BYTES, tooLarge } from '../../src-shared/user-import.ts';
import { IMPORT_MODES, ON_EXISTING, type ImportMode, type ImportReport, type OnExisting } from '../../src-shared/user-import-schemas.ts';
import { table } from './output.ts';
import { cliActor, need, usage, withRuntime, type CommandSpec } from './command-kit.ts';

/**
 * `users import FILE`: the bundled server's import (users/user-import-service.ts)
 * from the command line, with the same per-row report. Links and key secrets
 * are shown once: they go to the files named by --links and --with-keys,
 * created here with mode 0600 (never over an existing file, and before the
 * import runs, so a clash refuses before anything is written); to standard
 * output only in --json's answer when no --links file is named. A run that
 * would make links with neither refuses to start.
 */

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csv = (rows: string[][]) => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

/** A new file only this user can read: refused if anything is at `path` already. */
function createPrivate(path: string, what: string): number {
  try {
    return openSync(path, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw usage(`${what} file ${path} exists already: name a new file (secrets are never written over an old one)`);
    throw new AppError('VALIDATION', `Cannot create the ${what} file ${path}: ${(e as Error).message}.`);
  }
}

function discard(opened: Array<[number, string]>): void {
  for (const [fd, path] of opened.splice(0)) {
    closeSync(fd);
    unlinkSync(path);
  }
}

function progress(total: number): (done: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  return (done) => {
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} rows${done === total ? '\n' : ''}`);
    } else if (done - last >= 500 || (done === total && done !== last)) {
      last = done;
      process.stderr.write(`${done}/${total} rows\n`);
    }
  };
}

const sentenceOf = (r: ImportReport['rows'][number]) =>
  r.message ?? { create: 'created', invite: 'invited', update: 'updated', skip: 'skipped', error: '' }[r.outcome];

export const IMPORT_COMMANDS: CommandSpec[] = [
  {
    name: 'users import',
    args: 'FILE',
    summary: 'import users from a CSV or JSON-lines file (try --dry-run first)',
    details: [
      'Columns: username (required), email, is_staff, is_superuser, is_active, organization, role (admin|member); UTF-8, comma or semicolon.',
      'All or nothing: a row with an error writes nothing at all, unless --continue-on-error. Exit 1 when any row has an error.',
      'New accounts have no password: each gets a one-time set-password link (7 days). Links and key secrets are shown once:',
      'they are written to --links and --with-keys FILEs (mode 0600, never over an existing file); with --json and no --links, links are in the answer.',
    ].join('\n'),
    options: {
      'dry-run': { type: 'boolean', help: 'judge every row and print the outcomes; write nothing' },
      mode: { type: 'string', help: 'create (default: accounts with set-password links) or invite (an invitation link per row)' },
      'on-existing': { type: 'string', help: 'skip, update or error (default) for a username that exists' },
      'continue-on-error': { type: 'boolean', help: 'write the valid rows even when others have errors' },
      'with-keys': { type: 'string', help: 'FILE: make one personal key per new account; secrets go to FILE (shown nowhere else)' },
      links: { type: 'string', help: 'FILE: the set-password or invitation links, one per row (shown nowhere else)' },
      format: { type: 'string', help: 'csv or jsonl (default: jsonl when the file starts with {)' },
    },
    run: async (ctx) => {
      const [file] = need(ctx, 1, 'FILE');
      const v = ctx.values;
      const mode = (v.mode ?? 'create') as ImportMode;
      const onExisting = (v['on-existing'] ?? 'error') as OnExisting;
      if (!IMPORT_MODES.includes(mode)) throw usage(`--mode must be one of ${IMPORT_MODES.join(', ')}`);
      if (!ON_EXISTING.includes(onExisting)) throw usage(`--on-existing must be one of ${ON_EXISTING.join(', ')}`);
      if (v.format !== undefined && v.format !== 'csv' && v.format !== 'jsonl') throw usage('--format must be csv or jsonl');
      const dryRun = Boolean(v['dry-run']);
      const linksFile = typeof v.links === 'string' ? v.links : null;
      const keysFile = typeof v['with-keys'] === 'string' ? v['with-keys'] : null;
      if (!dryRun && !linksFile && !ctx.out.json)
        throw usage('links are shown once: name a file for them with --links FILE (or ask for --json to get them in the answer)');
      let size: number;
      try {
        size = statSync(file!).size;
      } catch (e) {
        throw new AppError('VALIDATION', `Cannot read ${file}: ${(e as Error).message}.`);
      }
      if (size > IMPORT_MAX_BYTES) throw new AppError('FILE_TOO_LARGE', tooLarge(size).message);
      const bytes = readFileSync(file!);
      const opened: Array<[number, string]> = [];
      try {
        if (!dryRun && linksFile) opened.push([createPrivate(linksFile, 'links'), linksFile]);
        if (!dryRun && keysFile) opened.push([createPrivate(keysFile, 'keys'), keysFile]);
        return await withRuntime(v, async (rt) => {
          const { PUBLIC_URL } = await rt.services.settings.values();
          let tick: ((done: number) => void) | null = null;
          const report = await rt.services.userImport.run(cliActor(), bytes, {
            format: v.format as 'csv' | 'jsonl' | undefined,
            dryRun,
            mode,
            onExisting,
            continueOnError: Boolean(v['continue-on-error']),
            withKeys: keysFile !== null,
            publicUrl: typeof PUBLIC_URL === 'string' && PUBLIC_URL ? PUBLIC_URL : null,
            onProgress: (done, total) => (tick ??= progress(total))(done),
          });
          if (!report.committed) discard(opened); // nothing was written: no empty secret files left behind
          const linked = report.rows.filter((r) => r.link);
          const keyed = report.rows.filter((r) => r.key);
          for (const [fd, path] of opened) {
            const body =
              path === linksFile
                ? csv([
                    ['line', 'username', 'outcome', 'link', 'expires_at'],
                    ...linked.map((r) => [String(r.line), r.username, r.outcome, r.link!.url ?? r.link!.path, r.link!.expires_at]),
                  ])
                : csv([
                    ['line', 'username', 'key_id', 'secret', 'authorization'],
                    ...keyed.map((r) => [String(r.line), r.username, r.key!.id, r.key!.secret, r.key!.authorization]),
                  ]);
            writeSync(fd, body);
          }
          // Secrets that went to a file are not repeated on stdout.
          const shown = { ...report, rows: report.rows.map(({ key: _k, link, ...r }) => (link && !linksFile ? { ...r, link } : r)) };
          ctx.out.print(shown, () => {
            const rows = report.rows.map((r) => ({
              line: r.line,
              username: r.username,
              outcome: r.outcome,
              what: [r.code, r.column, sentenceOf(r)].filter(Boolean).join(' '),
            }));
            const files = [
              linksFile && linked.length ? `${linked.length} link(s) written to ${linksFile}` : '',
              keysFile && keyed.length ? `${keyed.length} key(s) written to ${keysFile}` : '',
            ].filter(Boolean);
            if (linked.some((r) => !r.link!.url)) files.push("Links are paths: put this server's address in front (or set PUBLIC_URL to have whole links).");
            return [table(rows, ['line', 'username', 'outcome', 'what']), '', report.message, ...files].join('\n');
          });
          return report.counts.error > 0 ? 1 : 0;
        });
      } catch (e) {
        discard(opened); // the import wrote nothing, so its empty secret files go too
        throw e;
      } finally {
        for (const [fd] of opened) closeSync(fd);
      }
    },
  },
];

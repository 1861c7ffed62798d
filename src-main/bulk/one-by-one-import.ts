import { randomBytes } from 'node:crypto';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { User } from '../../src-shared/domain.ts';
import type { Backend, UserPatch } from '../contracts.ts';
import type { ImportJournal } from './import-journal.ts';

/**
 * Importing users into a server that has no import of its own and no
 * transactions (a Graphistry, through its Django admin): one row at a time,
 * each through the backend's ordinary create or edit, so each row gets the
 * same checks and refusals as a single change in the console. Nothing here
 * can make the whole file all-or-nothing; instead the journal records each
 * row before and after it is sent, and the report says exactly which rows
 * were written.
 */

export interface OneByOneRow {
  /** The row's line in the file (where it starts). */
  line: number;
  username: string;
  email?: string | null | undefined;
  is_active?: boolean | undefined;
  is_staff?: boolean | undefined;
  is_superuser?: boolean | undefined;
  /** An organization to join: refused here, since a Graphistry's organizations are read-only to the console. */
  organization?: string | undefined;
}

export type OnExisting = 'skip' | 'update' | 'error';

export interface RowOutcome {
  line: number;
  username: string;
  outcome: 'create' | 'update' | 'skip' | 'error';
  /** True once the server has confirmed the write. */
  written: boolean;
  id?: number;
  code?: string;
  message?: string;
}

export interface OneByOneOptions {
  onExisting: OnExisting;
  /** Only read: each row's outcome as it would be, nothing sent that changes anything. */
  dryRun: boolean;
  signal?: AbortSignal;
  journal?: ImportJournal;
  /** After each row: how many are done of how many, and how many were written so far. */
  onProgress?: (progress: { done: number; total: number; written: number }) => void;
}

export interface OneByOneReport {
  rows: RowOutcome[];
  /** True when the run was stopped before its last row: the rows after the last one reported were not sent. */
  stopped: boolean;
  written: number;
}

/**
 * A password nobody is ever shown: accounts made by an import on a
 * Graphistry cannot sign in with a password until one is set (Django's admin
 * cannot make a set-password link, and its add form requires a password).
 */
const unknownPassword = () => randomBytes(24).toString('base64url');

const flags = ['is_active', 'is_staff', 'is_superuser'] as const;

/** The existing account this row names (usernames are told apart without case), found through the list's search. */
async function existing(backend: Backend, username: string): Promise<{ id: number; username: string } | null> {
  const page = await backend.listUsers({ search: username, page_size: 100 });
  const wanted = username.toLocaleLowerCase('en');
  return page.results.find((u) => u.username.toLocaleLowerCase('en') === wanted) ?? null;
}

/** What an update would change: only the columns the row has, and only where they differ. */
function patchFor(row: OneByOneRow, user: User): UserPatch {
  const patch: UserPatch = {};
  if (row.email !== undefined && (row.email ?? null) !== (user.email ?? null)) patch.email = row.email;
  for (const f of flags) if (row[f] !== undefined && row[f] !== user[f]) patch[f] = row[f];
  return patch;
}

function refusal(error: unknown): { code: string; message: string; id?: number } {
  if (error instanceof ConsoleFailure) {
    const { serverCode, code, message, user_id } = error.error;
    // USER_INCOMPLETE: Django made the account but not all of it was saved; its id is reported so the admin can finish or delete it.
    return { code: serverCode ?? code, message, ...(user_id !== undefined ? { id: user_id } : {}) };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

type Plan =
  | { outcome: 'create' }
  | { outcome: 'update'; user: User; patch: UserPatch }
  | { outcome: 'skip'; why: string }
  | { outcome: 'error'; code: string; message: string };

async function plan(backend: Backend, row: OneByOneRow, onExisting: OnExisting): Promise<Plan> {
  if (row.organization) {
    return {
      outcome: 'error',
      code: 'UNSUPPORTED',
      message: 'This Graphistry’s organizations are read-only to the console: remove the organization column, or add members in Graphistry.',
    };
  }
  const user = await existing(backend, row.username);
  if (!user) return { outcome: 'create' };
  if (onExisting === 'error') return { outcome: 'error', code: 'USERNAME_TAKEN', message: `“${user.username}” already has an account (id ${user.id}).` };
  if (onExisting === 'skip') return { outcome: 'skip', why: `already present (id ${user.id})` };
  // Read whole: a list may leave columns unlisted, and an update compares every column the row has.
  const whole = await backend.getUser(user.id);
  const patch = patchFor(row, whole);
  if (!Object.keys(patch).length) return { outcome: 'skip', why: `already as the file says (id ${user.id})` };
  return { outcome: 'update', user: whole, patch };
}

/** Send one planned row; its outcome once the server has answered. */
async function write(backend: Backend, row: OneByOneRow, p: Plan & { outcome: 'create' | 'update' }): Promise<number> {
  if (p.outcome === 'update') return (await backend.updateUser(p.user.id, p.patch)).id;
  const { user } = await backend.createUser({
    username: row.username,
    password: unknownPassword(),
    email: row.email ?? null,
    ...(row.is_active !== undefined ? { is_active: row.is_active } : {}),
    ...(row.is_staff !== undefined ? { is_staff: row.is_staff } : {}),
    ...(row.is_superuser !== undefined ? { is_superuser: row.is_superuser } : {}),
  });
  return user.id;
}

/**
 * Import `rows` one at a time through `backend`. A refused row is reported
 * and the run goes on (there is nothing to roll back); stopping (`signal`)
 * takes effect between rows, never in the middle of one.
 */
export async function importOneByOne(backend: Backend, rows: readonly OneByOneRow[], opts: OneByOneOptions): Promise<OneByOneReport> {
  const out: RowOutcome[] = [];
  let written = 0;
  let stopped = false;
  opts.journal?.append({ kind: 'start', at: new Date().toISOString(), server: backend.baseUrl, rows: rows.length, dry_run: opts.dryRun });
  for (const row of rows) {
    if (opts.signal?.aborted) {
      stopped = true;
      break;
    }
    const base = { line: row.line, username: row.username };
    let p: Plan;
    try {
      p = await plan(backend, row, opts.onExisting);
    } catch (error) {
      p = { outcome: 'error', ...refusal(error) };
    }
    if (p.outcome === 'error') {
      out.push({ ...base, outcome: 'error', written: false, code: p.code, message: p.message });
      opts.journal?.append({ kind: 'refused', ...base, code: p.code, message: p.message });
    } else if (p.outcome === 'skip') {
      out.push({ ...base, outcome: 'skip', written: false, message: p.why });
      opts.journal?.append({ kind: 'skipped', ...base, reason: p.why });
    } else if (opts.dryRun) {
      out.push({ ...base, outcome: p.outcome, written: false, ...(p.outcome === 'update' ? { id: p.user.id } : {}) });
    } else {
      opts.journal?.append({ kind: 'sending', ...base, action: p.outcome });
      try {
        const id = await write(backend, row, p);
        written++;
        out.push({ ...base, outcome: p.outcome, written: true, id });
        opts.journal?.append({ kind: 'written', ...base, action: p.outcome, id });
      } catch (error) {
        const why = refusal(error);
        out.push({ ...base, outcome: 'error', written: false, ...why });
        opts.journal?.append({ kind: 'refused', ...base, ...why });
      }
    }
    opts.onProgress?.({ done: out.length, total: rows.length, written });
  }
  opts.journal?.append({ kind: 'end', at: new Date().toISOString(), stopped });
  return { rows: out, stopped, written };
}

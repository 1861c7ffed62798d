import type { ConsoleError, Result } from '../../../src-shared/console-errors.ts';
import type { BulkActiveResult, User } from '../../../src-shared/domain.ts';

/** How far a bulk run has got: shown as a progress bar with a Stop button. */
export interface BulkProgress {
  active: boolean;
  done: number;
  total: number;
  /** This run is an Undo of an earlier one. */
  undo: boolean;
}

/** What a whole bulk run did: every batch's answer merged, and why it stopped early, if it did. */
export interface BulkOutcome extends BulkActiveResult {
  /** Users asked about so far (of `total`). */
  done: number;
  total: number;
  /** The admin pressed Stop: the users not reached were left as they were. */
  stopped: boolean;
  /** A batch failed as a whole (the server stopped answering, the console switched connections): the run ended there. */
  error: ConsoleError | null;
}

/**
 * Sends `ids` in batches of `batch`, one call at a time, so a long run
 * reports progress and can stop between calls; every user is asked about at
 * most once. Stops at the first batch that fails as a whole (a batch's own
 * refusals, like the last superuser, are in its `failed` and do not stop it).
 */
export async function runInBatches(opts: {
  ids: readonly number[];
  batch: number;
  send(ids: number[]): Promise<Result<BulkActiveResult>>;
  progress(done: number, total: number): void;
  stopped(): boolean;
}): Promise<BulkOutcome> {
  const total = opts.ids.length;
  const out: BulkOutcome = { changed: [], unchanged: [], failed: [], done: 0, total, stopped: false, error: null };
  const size = Math.max(1, Math.floor(opts.batch));
  for (let at = 0; at < total; at += size) {
    if (opts.stopped()) {
      out.stopped = true;
      break;
    }
    const chunk = opts.ids.slice(at, at + size);
    const r = await opts.send(chunk);
    if (!r.ok) {
      out.error = r.error;
      break;
    }
    out.changed.push(...r.value.changed);
    out.unchanged.push(...r.value.unchanged);
    out.failed.push(...r.value.failed);
    out.done += chunk.length;
    opts.progress(out.done, total);
  }
  return out;
}

const count = (n: number, one: string) => (n === 1 ? one : `${n.toLocaleString('en-US')} users`);

/**
 * The toast after a run: only the users it changed count as done ("Deactivated
 * 5 users on “Lab”"), those already so are said apart, and an early end says how far it got.
 */
export function outcomeSentence(o: BulkOutcome, active: boolean, undo: boolean, where = ''): string {
  const verb = active ? 'Activated' : 'Deactivated';
  const again = undo ? ' again' : '';
  const one = (u: User | undefined) => u?.username ?? '1 user';
  const parts: string[] = [];
  if (o.changed.length > 0) parts.push(`${verb} ${count(o.changed.length, one(o.changed[0]))}${again}${where}`);
  else parts.push(`Nothing changed${where}`);
  if (o.unchanged.length > 0) {
    const n = o.unchanged.length;
    parts.push(`${count(n, one(o.unchanged[0]))} ${n === 1 ? 'was' : 'were'} already ${active ? 'active' : 'inactive'}`);
  }
  if (o.stopped || o.error) parts.push(`stopped after ${o.done.toLocaleString('en-US')} of ${o.total.toLocaleString('en-US')}`);
  return parts.join(' · ');
}

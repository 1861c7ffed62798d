import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processStartId } from './process-start.ts';

/**
 * One `serve` per SQLite data dir. Two servers on one SQLite file would work
 * row by row, but each keeps its own caches (verified tokens, throttles) and
 * the console would be managing a server it did not start; refusing is clearer.
 * PostgreSQL is shared by several processes by design, so callers skip this there.
 */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    dataDir: string,
    readonly pid: number | null,
    lockPath: string,
  ) {
    super(
      `the data dir ${dataDir} is in use by another graphistry-admin server (pid ${pid ?? 'unknown'}); ` +
        `stop that server first, or delete ${lockPath} if no such process is running`,
    );
    this.name = 'DataDirLockedError';
  }
}

// A lock file that is still empty was just created by another process that
// has not written its pid yet; only after this long is it considered abandoned.
const EMPTY_LOCK_GRACE_MS = 5_000;

/**
 * The lock file holds the holder's pid on its first line (what older servers
 * wrote, and what people read) and, on the second, when that process started
 * (`processStartId`), so a stale lock whose pid now belongs to an unrelated
 * process is recognised as stale instead of blocking every start.
 */
export function acquireDataDirLock(dataDir: string, pid: number = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'server.lock');
  const content = `${pid}\n${processStartId(pid) ?? ''}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, content)) return holding(path, pid);
    const holder = readHolder(path);
    if (holder.kind === 'gone') continue;
    if (holder.kind === 'live') throw new DataDirLockedError(dataDir, holder.pid, path);
    takeOverStale(path, holder.raw);
  }
  throw new DataDirLockedError(dataDir, readPid(path), path);
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600); // O_CREAT | O_EXCL: exactly one process wins
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

type Holder = { kind: 'gone' } | { kind: 'live'; pid: number | null } | { kind: 'stale'; raw: string };

function readHolder(path: string): Holder {
  let raw: string;
  let age: number;
  try {
    raw = readFileSync(path, 'utf8');
    age = Date.now() - statSync(path).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw e;
  }
  const pid = parsePid(raw);
  if (pid === null) return age < EMPTY_LOCK_GRACE_MS ? { kind: 'live', pid: null } : { kind: 'stale', raw };
  // Our own pid in the file is a leftover from an earlier boot or container
  // (pid 1 is reused every time), never a live holder: we do not hold it yet.
  if (pid === process.pid) return { kind: 'stale', raw };
  if (!isAlive(pid)) return { kind: 'stale', raw };
  // The pid is in use: by the server that wrote the lock only if it started when the lock says.
  const recorded = raw.split('\n')[1]?.trim();
  const current = recorded ? processStartId(pid) : null;
  return recorded && current && current !== recorded ? { kind: 'stale', raw } : { kind: 'live', pid };
}

/**
 * Remove a stale lock only while holding `server.lock.takeover`, and only if
 * it still holds what we judged stale: otherwise two starting servers could
 * each delete the lock the other just created.
 */
function takeOverStale(path: string, staleContent: string): void {
  const guard = `${path}.takeover`;
  if (!tryCreate(guard, `${process.pid}\n`)) {
    const g = readHolder(guard);
    if (g.kind === 'stale') unlinkQuietly(guard);
    return; // another process is taking over; the caller retries and sees the outcome
  }
  try {
    let current: string | null = null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = null;
    }
    if (current === staleContent) unlinkQuietly(path);
  } finally {
    unlinkQuietly(guard);
  }
}

function holding(path: string, pid: number): DataDirLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Never remove a lock that is no longer ours (deleted by hand and re-taken).
    if (readPid(path) === pid) unlinkQuietly(path);
  };
  // Covers every way out that still runs JavaScript (errors thrown after
  // listening, process.exit); a SIGKILL leaves a stale lock the next start takes over.
  process.on('exit', release);
  return { path, release };
}

function parsePid(raw: string): number | null {
  const pid = Number(raw.split('\n')[0]!.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function readPid(path: string): number | null {
  try {
    return parsePid(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

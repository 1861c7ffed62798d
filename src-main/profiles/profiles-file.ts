import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Profile } from '../../src-shared/console-api.ts';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';

export type StoredProfile = Omit<Profile, 'has_credential'>;

export const PROFILES_FILE = 'profiles.json';
export const PROFILES_FILE_VERSION = 1;

// z.object strips unknown keys: a field someone pasted in by hand (a
// password, say) is dropped on read and gone from disk at the next write.
const storedProfile = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    name: z.string().min(1).max(100),
    kind: z.enum(['bundled', 'remote']),
    url: z.string().max(2000).optional(),
    username: z.string().max(150).optional(),
    admin_path: z.string().max(202).optional(),
    ca_file: z.string().max(4096).optional(),
    pinned_certificate: z.string().max(200).optional(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .refine((p) => (p.kind === 'remote') === (p.url !== undefined), { message: 'needs a url exactly when it is remote', path: ['url'] });
const profilesFile = z.object({ version: z.literal(PROFILES_FILE_VERSION), profiles: z.array(storedProfile) });

export interface CorruptFile {
  /** Where the unreadable file was moved. */
  movedTo: string;
  /** A sentence for the user: what happened and where the old file is. */
  message: string;
}

/**
 * Read `<dir>/profiles.json`. Missing: an empty list. Written by a newer
 * console: refused untouched (moving it aside would lose its profiles for the
 * newer version too). Unreadable or invalid: moved aside to
 * `profiles.json.corrupt-<time>` and an empty list, so the console stays
 * usable; profiles hold no secret and are quick to re-create, while an app
 * that refuses to start until someone hand-edits JSON is not.
 */
export function readProfilesFile(dir: string, now: Date, onCorrupt: (c: CorruptFile) => void): StoredProfile[] {
  const path = join(dir, PROFILES_FILE);
  if (!existsSync(path)) return [];
  let problem: string;
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > PROFILES_FILE_VERSION) {
      throw new ConsoleFailure({
        code: 'INTERNAL',
        message: `${path} was written by a newer version of the console (format ${version}); update the console to use these profiles.`,
      });
    }
    const parsed = profilesFile.safeParse(raw);
    if (parsed.success) return parsed.data.profiles;
    const issue = parsed.error.issues[0];
    problem = `${issue?.path.join('.') || 'the file'} ${issue?.message ?? 'is invalid'}`;
  } catch (e) {
    if (e instanceof ConsoleFailure) throw e;
    // Not JSON.parse's message: it quotes the file's content.
    problem = e instanceof SyntaxError ? 'it is not valid JSON' : `it could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const movedTo = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, movedTo);
  onCorrupt({ movedTo, message: `The profiles file could not be used (${problem}); it was moved to ${movedTo} and the console starts with no profiles.` });
  return [];
}

/**
 * Replace `<dir>/profiles.json` atomically: write a temp file in the same
 * folder (mode 0600), fsync it, rename it over the old one, fsync the folder.
 * A crash leaves either the old file or the new one, never half of one.
 */
export function writeProfilesFile(dir: string, profiles: StoredProfile[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, PROFILES_FILE);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const body = `${JSON.stringify({ version: PROFILES_FILE_VERSION, profiles }, null, 2)}\n`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new ConsoleFailure({ code: 'INTERNAL', message: `Could not save the profiles file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).` });
  }
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
  }
}

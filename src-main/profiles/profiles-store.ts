import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { z } from 'zod';
import { ConsoleFailure, type ConsoleFieldIssue } from '../../src-shared/console-errors.ts';
import { profileInput } from '../../src-shared/console-api.ts';
import type { ProfileInput, ProfilesStore } from '../contracts.ts';
import { readProfilesFile, writeProfilesFile, type CorruptFile, type StoredProfile } from './profiles-file.ts';

export type { CorruptFile } from './profiles-file.ts';

export interface ProfilesStoreOptions {
  /** Told when an unreadable profiles file was moved aside (default: one line on stderr). */
  onCorrupt?: (c: CorruptFile) => void;
}

const invalid = (fields: ConsoleFieldIssue[]) =>
  new ConsoleFailure({ code: 'VALIDATION', message: `Invalid profile: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}.`, fields });

const notFound = (id: string) => new ConsoleFailure({ code: 'NOT_FOUND', message: `There is no profile with id ${id}.` });

/** Names compare without case or surrounding blanks: "Prod" and "prod " would be indistinguishable in a list. */
const nameKey = (name: string) => name.normalize('NFC').trim().toLocaleLowerCase('en-US');

/** Unknown keys are named one by one: a `password` field is refused as such, never stored. */
function fieldIssues(i: z.core.$ZodIssue): ConsoleFieldIssue[] {
  if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: k.slice(0, 64), message: 'is not a profile field' }));
  const message = i.code === 'invalid_type' && i.message.includes('undefined') ? 'is required' : i.message;
  return [{ field: i.path.map(String).join('.') || 'profile', message }];
}

/**
 * Check an input and return the fields to store. The URL must not carry a
 * user name, password, query or fragment: the file is plain text on disk, and
 * credentials belong in the keychain only.
 */
type Fields = Pick<StoredProfile, 'name' | 'kind' | 'url' | 'username' | 'admin_path' | 'ca_file' | 'pinned_certificate'>;

/** A Graphistry's admin path, spelled one way: `/admin/`, `/portal/admin/`. The default is left out. */
const adminPathOf = (raw: string) => `/${raw.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');

/** How this profile's server is reached: admin path and TLS trust, which only a remote https profile may carry. */
function reachFields(input: ProfileInput, url: string | undefined, fields: ConsoleFieldIssue[]): Pick<Fields, 'admin_path' | 'ca_file' | 'pinned_certificate'> {
  const out: Pick<Fields, 'admin_path' | 'ca_file' | 'pinned_certificate'> = {};
  const remote = input.kind === 'remote';
  for (const f of ['admin_path', 'ca_file', 'pinned_certificate'] as const) {
    if (!remote && input[f] !== undefined) fields.push({ field: f, message: 'is only for a remote server' });
  }
  if (!remote) return out;
  if (input.admin_path !== undefined && adminPathOf(input.admin_path) !== '/admin/') out.admin_path = adminPathOf(input.admin_path);
  const https = url?.startsWith('https://') ?? false;
  if (input.ca_file !== undefined) {
    if (!https) fields.push({ field: 'ca_file', message: 'applies only to an https:// address' });
    else if (!isAbsolute(input.ca_file)) fields.push({ field: 'ca_file', message: 'must be an absolute path' });
    else if (!existsSync(input.ca_file) || !statSync(input.ca_file).isFile()) fields.push({ field: 'ca_file', message: 'is not a file on this computer' });
    else out.ca_file = input.ca_file;
  }
  if (input.pinned_certificate !== undefined) {
    if (!https) fields.push({ field: 'pinned_certificate', message: 'applies only to an https:// address' });
    else if (input.ca_file !== undefined) fields.push({ field: 'pinned_certificate', message: 'cannot go with a CA file: choose one' });
    else out.pinned_certificate = input.pinned_certificate.toUpperCase();
  }
  return out;
}

function validate(input: ProfileInput): Fields {
  const parsed = profileInput.safeParse({ ...input, name: typeof input.name === 'string' ? input.name.trim() : input.name });
  const fields: ConsoleFieldIssue[] = parsed.success ? [] : parsed.error.issues.flatMap(fieldIssues);
  let url: string | undefined;
  if (input.kind === 'remote' && !input.url) fields.push({ field: 'url', message: 'is required for a remote server' });
  if (input.kind === 'bundled' && input.url !== undefined) fields.push({ field: 'url', message: 'must be empty for the bundled server' });
  if (input.kind === 'remote' && parsed.success && parsed.data.url) {
    const u = new URL(parsed.data.url);
    if (u.username || u.password)
      fields.push({ field: 'url', message: 'must not contain a user name or password (sign in instead; the keychain keeps credentials)' });
    else if (u.search || u.hash) fields.push({ field: 'url', message: 'must not contain a query or fragment' });
    // One spelling per server: clients add their paths after it.
    url = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  }
  const reach = parsed.success ? reachFields(parsed.data, url, fields) : {};
  if (fields.length || !parsed.success) throw invalid(fields);
  return {
    name: parsed.data.name,
    kind: parsed.data.kind,
    ...(url ? { url } : {}),
    ...(parsed.data.username ? { username: parsed.data.username } : {}),
    ...reach,
  };
}

/**
 * Connection profiles as JSON in `<dir>/profiles.json` (folder 0700, file
 * 0600, replaced atomically). Holds names, kinds, URLs and user names only:
 * the stored type has no field for a secret, unknown fields are dropped on
 * read, and credentials live in the keychain (src-main/vault).
 *
 * `save` without `id` creates; with `id` it replaces that profile's name,
 * kind, url and username (keeping its dates) or fails NOT_FOUND. `list` is
 * sorted by name. A corrupt file is moved aside (see readProfilesFile).
 *
 * @example
 * const profiles = createProfilesStore(app.getPath('userData'));
 * const p = await profiles.save({ name: 'Bundled server', kind: 'bundled' });
 */
export function createProfilesStore(dir: string, clock: { now(): Date } = { now: () => new Date() }, opts: ProfilesStoreOptions = {}): ProfilesStore {
  const onCorrupt = opts.onCorrupt ?? ((c: CorruptFile) => process.stderr.write(`graphistry-admin-console: ${c.message}\n`));
  // Synchronous file I/O on purpose: each operation reads, checks and writes
  // without yielding, so concurrent calls cannot interleave and lose an update.
  // The file is a few kilobytes; the app's single-instance lock keeps other processes out.
  const serial = async <T>(op: () => T): Promise<T> => op();
  const read = () => readProfilesFile(dir, clock.now(), onCorrupt);
  const byName = (a: StoredProfile, b: StoredProfile) => nameKey(a.name).localeCompare(nameKey(b.name)) || a.created_at.localeCompare(b.created_at);

  return {
    list: () => serial(() => read().sort(byName)),

    get: (id) => serial(() => read().find((p) => p.id === id) ?? null),

    save: (input) =>
      serial(() => {
        const fields = validate(input);
        const all = read();
        const index = input.id === undefined ? -1 : all.findIndex((p) => p.id === input.id);
        if (input.id !== undefined && index < 0) throw notFound(input.id);
        const current = all[index];
        if (all.some((p) => p.id !== current?.id && nameKey(p.name) === nameKey(fields.name))) {
          throw new ConsoleFailure({
            code: 'CONFLICT',
            message: `A profile named "${fields.name}" already exists.`,
            fields: [{ field: 'name', message: 'is already used by another profile' }],
          });
        }
        const saved: StoredProfile = current
          ? { id: current.id, ...fields, created_at: current.created_at, last_used_at: current.last_used_at }
          : { id: randomBytes(12).toString('base64url'), ...fields, created_at: clock.now().toISOString(), last_used_at: null };
        if (current) all[index] = saved;
        else all.push(saved);
        writeProfilesFile(dir, all);
        return saved;
      }),

    remove: (id) =>
      serial(() => {
        const all = read();
        if (!all.some((p) => p.id === id)) throw notFound(id);
        writeProfilesFile(
          dir,
          all.filter((p) => p.id !== id),
        );
      }),

    touch: (id) =>
      serial(() => {
        const all = read();
        const p = all.find((x) => x.id === id);
        if (!p) throw notFound(id);
        p.last_used_at = clock.now().toISOString();
        writeProfilesFile(dir, all);
      }),
  };
}

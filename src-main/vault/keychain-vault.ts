import { randomBytes } from 'node:crypto';
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { z } from 'zod';
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import type { StoredCredential, Vault } from '../contracts.ts';

export const DEFAULT_KEYCHAIN_SERVICE = 'graphistry-admin-console';

/**
 * Pinned to the Secret Service on Linux: by default the binding silently falls
 * back to the kernel keyutils keyring, which is in-memory only, so a
 * credential would vanish at the next reboot while the console believed it
 * kept it. Without a Secret Service we would rather say "no keychain".
 * (Ignored on macOS and Windows.)
 */
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

const PROFILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const NO_KEYCHAIN_DETAIL =
  'No OS keychain answers (on Linux, a Secret Service such as gnome-keyring over D-Bus), so the console keeps no credentials and asks you to sign in each time.';

// A stored value is only trusted if it has exactly one of these shapes.
const storedCredential = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('personal_key'),
    id: z.string().min(1).max(200),
    secret: z.string().min(1).max(4096),
    username: z.string().min(1).max(150),
  }),
  // A Graphistry's Django admin takes only a password.
  z.strictObject({
    kind: z.literal('password'),
    username: z.string().min(1).max(150),
    password: z.string().min(1).max(4096),
  }),
]);

/** The platform's own reason, bounded; keyring errors name the store, never the value. */
function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

function detailFor(e: unknown): string {
  const reason = reasonOf(e);
  if (/locked|unlock|prompt/i.test(reason)) {
    return `The OS keychain is locked: unlock it (for example by signing in to your desktop session) so the console can keep credentials. Reason: ${reason}`;
  }
  return `${NO_KEYCHAIN_DETAIL} Reason: ${reason}`;
}

const noKeychain = (e: unknown) => new ConsoleFailure({ code: 'NO_KEYCHAIN', message: detailFor(e) });

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service
 * on Linux) through `@napi-rs/keyring`. One entry per profile, account
 * `profile:<id>`, whose value is the JSON of a StoredCredential. Uses the
 * async entries, which run on libuv's thread pool: a keychain waiting on an
 * unlock prompt must not freeze the main process.
 *
 * @example
 * const vault = createKeychainVault();
 * if ((await vault.status()).available) await vault.set(profile.id, { kind: 'personal_key', id, secret, username });
 */
export function createKeychainVault(opts: { service?: string } = {}): Vault {
  const service = opts.service ?? DEFAULT_KEYCHAIN_SERVICE;

  // The constructor itself throws when the Secret Service cannot be reached.
  const entry = (account: string) => {
    try {
      return new AsyncEntry(service, account, ENTRY_OPTIONS);
    } catch (e) {
      throw noKeychain(e);
    }
  };
  const account = (profileId: string) => {
    // Same shape as the bridge's profile ids: the account name stays predictable.
    if (!PROFILE_ID.test(profileId)) {
      throw new ConsoleFailure({ code: 'VALIDATION', message: 'That is not a profile id.', fields: [{ field: 'profileId', message: 'is not a profile id' }] });
    }
    return `profile:${profileId}`;
  };

  return {
    async status() {
      // A write/read/delete round trip: a read alone answers "nothing stored"
      // from a locked keyring, and only the write shows it cannot keep anything.
      let probe: AsyncEntry | null = null;
      try {
        probe = new AsyncEntry(service, `probe:${randomBytes(9).toString('base64url')}`, ENTRY_OPTIONS);
        await probe.setPassword('probe');
        if ((await probe.getPassword()) !== 'probe') {
          return { available: false, detail: 'The OS keychain did not return what was written to it: the console keeps no credentials.' };
        }
        return { available: true, detail: null };
      } catch (e) {
        return { available: false, detail: detailFor(e) };
      } finally {
        await probe?.deleteCredential().catch(() => undefined);
      }
    },

    async get(profileId) {
      let bytes: number[] | null;
      try {
        // Bytes, not getPassword: a non-UTF-8 value must not surface inside an error message.
        bytes = await entry(account(profileId)).getSecret();
      } catch (e) {
        throw e instanceof ConsoleFailure ? e : noKeychain(e);
      }
      if (bytes === null) return null;
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
        const parsed = storedCredential.safeParse(JSON.parse(text));
        // Anything else in our slot (another tool's write, an older format) is not trusted.
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },

    async set(profileId, credential: StoredCredential) {
      const checked = storedCredential.safeParse(credential);
      // A programming error, reported without echoing the value (it holds a secret).
      if (!checked.success) throw new ConsoleFailure({ code: 'INTERNAL', message: 'Refusing to store a malformed credential in the keychain.' });
      const value = checked.data;
      try {
        await entry(account(profileId)).setSecret(new TextEncoder().encode(JSON.stringify(value)));
      } catch (e) {
        throw e instanceof ConsoleFailure ? e : noKeychain(e);
      }
    },

    async delete(profileId) {
      try {
        // false means "nothing was stored": deleting is idempotent.
        await entry(account(profileId)).deleteCredential();
      } catch (e) {
        throw e instanceof ConsoleFailure ? e : noKeychain(e);
      }
    },
  };
}

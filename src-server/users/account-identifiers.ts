import type { Kysely, Transaction } from 'kysely';
import type { Database, UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { normalizeUsername } from '../lib/username-identity.ts';
import type { UsersRepo } from './users-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** What a write is about to give an account: a username, an email, or both. */
export interface WantedIdentifiers {
  username?: string | undefined;
  email?: string | null | undefined;
}

/** The refusal for a username that is taken (same case fold) or looks like `other`'s. */
export function usernameClash(username: string, other: Pick<UserRow, 'username' | 'username_lower'>): AppError {
  const name = normalizeUsername(username);
  if (other.username_lower === name.toLowerCase()) {
    return new AppError('USERNAME_TAKEN', 'A user with that username already exists.', { fields: [{ field: 'username', message: 'already in use' }] });
  }
  const message = `The username “${name}” looks too much like the existing username “${other.username}”: choose one that reads differently.`;
  return new AppError('USERNAME_TAKEN', message, { fields: [{ field: 'username', message: `looks like the existing username “${other.username}”` }] });
}

/**
 * The case-folded forms of an email a sign-in could type: as stored
 * (`email_lower`) and in the NFKC form a typed name is also tried in
 * (`ＢＯＳＳ@corp.example` signs in as the username `boss@corp.example`).
 */
function emailKeys(email: string): string[] {
  return [...new Set([email.toLowerCase(), normalizeUsername(email).toLowerCase()])];
}

/**
 * Refuse a username or email another account already answers to at sign-in.
 * Sign-in takes either in one field (a username first, then an email), so a
 * username equal to another account's email (`BOSS@corp.example` beside
 * alice's `boss@corp.example`) made alice's email sign-in reach the squatter
 * and fail, counting against the squatter; the reverse (an email equal to
 * someone's username) is the same clash. Also refuses look-alike usernames by
 * either skeleton (users-repo.ts `lookAlike`).
 *
 * Call inside the accounts lock (every write that sets a username or email
 * holds it), so two writes cannot each pass and then clash. Pass `exceptId`
 * when the account itself is being changed.
 */
export async function assertIdentifiersFree(q: Q, repo: UsersRepo, wanted: WantedIdentifiers, exceptId?: number): Promise<void> {
  if (wanted.username !== undefined) {
    const lookAlike = await repo.lookAlike(q, wanted.username, exceptId);
    if (lookAlike) throw usernameClash(wanted.username, lookAlike);
    const name = normalizeUsername(wanted.username);
    // An organization's id names it where a username names a personal organization (org_name, /o/<slug>/): the two never meet.
    // Slugs are lower-case ASCII and compared exactly by clients, so look-alike matching stays between usernames.
    if (await repo.isOrgSlug(q, name.toLowerCase())) {
      throw new AppError('USERNAME_TAKEN', `“${name}” is an organization's id: choose a different username.`, {
        fields: [{ field: 'username', message: "is an organization's id" }],
      });
    }
    // Emails always hold an @, so only such a name can be one.
    if (name.includes('@') && (await repo.withEmailIn(q, [name.toLowerCase()], exceptId))) {
      throw new AppError('USERNAME_TAKEN', `The username “${name}” is another account's email address: choose a different username.`, {
        fields: [{ field: 'username', message: "is another account's email address" }],
      });
    }
  }
  if (wanted.email) {
    if (await repo.withUsernameIn(q, emailKeys(wanted.email), exceptId)) {
      throw new AppError('EMAIL_TAKEN', `The email “${wanted.email}” is another account's username: choose a different email.`, {
        fields: [{ field: 'email', message: "is another account's username" }],
      });
    }
  }
}

import type { Kysely, Transaction } from 'kysely';
import type { Database, InvitationRow } from '../db/schema.ts';
import { hmacSha256Hex, randomSecret } from '../lib/crypto.ts';
import type { InvitationsRepo } from './invitations-repo.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** Real tokens are 43 characters; anything past this is refused before hashing or querying. */
export const MAX_INVITATION_TOKEN_LENGTH = 256;

/**
 * The secret in an invitation link and its stored form, one scheme for site
 * and organization invitations alike: 256 random bits, of which the database
 * keeps only an HMAC under `.env`'s general secret, so a leaked row cannot be
 * turned back into a link.
 */
export function createInvitationTokens(secretKey: Buffer, repo: Pick<InvitationsRepo, 'byTokenHash'>) {
  // Domain-separated: the same secret key also signs sessions and CSRF tokens.
  const hash = (token: string) => hmacSha256Hex(secretKey, `invitation:${token}`);
  return {
    hash,
    /** A new link secret and what to store for it. */
    mint(): { token: string; tokenHash: string } {
      const token = randomSecret(32);
      return { token, tokenHash: hash(token) };
    },
    /** The invitation a presented token names, if any. Never throws for a bad token. */
    async find(q: Q, token: string): Promise<InvitationRow | undefined> {
      if (token.length === 0 || token.length > MAX_INVITATION_TOKEN_LENGTH) return undefined;
      return repo.byTokenHash(q, hash(token));
    },
  };
}
export type InvitationTokens = ReturnType<typeof createInvitationTokens>;

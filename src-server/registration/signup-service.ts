import type { Db } from '../db/database.ts';
import type { UserRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { safeEqual } from '../lib/crypto.ts';
import type { PasswordHasher } from '../lib/password-hasher.ts';
import { assertPassword } from '../lib/password-policy.ts';
import { AppError } from '../errors.ts';
import type { NewPersonalKey, User } from '../../src-shared/domain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { KeysService } from '../keys/keys-service.ts';
import type { SettingsRepo } from '../settings/settings-repo.ts';
import type { TokensService } from '../tokens/tokens-service.ts';
import { toUser, type UsersRepo } from '../users/users-repo.ts';
import { accountConflict } from '../users/users-service.ts';
import { assertIdentifiersFree } from '../users/account-identifiers.ts';
import { parseInput } from '../lib/validate.ts';
import { signupInput } from './signup-schemas.ts';

export interface SignupResult {
  user: User;
  key: NewPersonalKey;
  token: string;
  /** True when this sign-up created the installation's first administrator. */
  first: boolean;
}

export interface RegistrationState {
  has_users: boolean;
  signups_open: boolean;
  first_signup_needs_setup_token: boolean;
}

export function createSignupService(deps: {
  db: Db;
  users: UsersRepo;
  settings: SettingsRepo;
  keys: KeysService;
  tokens: TokensService;
  audit: AuditService;
  hasher: PasswordHasher;
  clock: Clock;
  passwordMinLength: number;
  setupToken: string | undefined;
}) {
  const { db, users, settings, keys, tokens, audit, hasher, clock, passwordMinLength, setupToken } = deps;

  function checkSetupToken(given: string | undefined) {
    if (setupToken && !(given && safeEqual(given, setupToken))) {
      throw new AppError('SETUP_TOKEN_REQUIRED', 'This installation needs its setup token to create the first administrator.', {
        fields: [{ field: 'setup_token', message: given ? 'does not match' : 'is required' }],
      });
    }
  }

  async function state(): Promise<RegistrationState> {
    const hasUsers = (await users.count(db.read)) > 0;
    const values = await settings.readAll(db.read);
    return {
      has_users: hasUsers,
      signups_open: !hasUsers || values.IS_SIGNUPS_OPEN_AFTER_FIRST,
      first_signup_needs_setup_token: !hasUsers && Boolean(setupToken),
    };
  }

  return {
    state,

    /**
     * Self-registration. On an empty database the caller becomes superuser +
     * staff and registration closes, decided under the accounts lock so that
     * racing sign-ups yield exactly one administrator.
     */
    async signup(raw: unknown, ip: string | null): Promise<SignupResult> {
      const input = parseInput(signupInput, raw, 'body');
      const closed = () => new AppError('SIGNUPS_CLOSED', 'Sign-up is closed: this installation is invite-only. Ask an administrator for an account.');
      // Cheap refusals first, before any password hashing.
      const before = await state();
      if (!before.signups_open) {
        await audit.record(
          { userId: null, username: input.username, ip },
          { action: 'user.signup', outcome: 'failure', target: input.username, detail: { reason: 'signups_closed' } },
        );
        throw closed();
      }
      if (!before.has_users) checkSetupToken(input.setup_token);
      assertPassword(input.password, input.username, passwordMinLength);
      const passwordHash = await hasher.hash(input.password);

      let result: { row: UserRow; user: User; key: NewPersonalKey; first: boolean };
      try {
        result = await db.withAccountsLock(async (trx) => {
          const first = (await users.count(trx)) === 0;
          const values = await settings.readAll(trx);
          if (!first && !values.IS_SIGNUPS_OPEN_AFTER_FIRST) throw closed();
          if (first) checkSetupToken(input.setup_token);
          const staff = first || values.IS_SIGNUP_STAFF_BY_DEFAULT;
          await assertIdentifiersFree(trx, users, { username: input.username, email: input.email });
          const row = await users.create(trx, {
            username: input.username,
            email: input.email,
            passwordHash,
            staff,
            superuser: first,
            at: clock.now().toISOString(),
            signedIn: true,
          });
          const user = toUser(row);
          const actor = { userId: user.id, username: user.username, ip };
          await audit.record(
            actor,
            { action: 'user.signup', targetType: 'user', targetId: user.id, target: user.username, detail: { first, is_staff: staff, is_superuser: first } },
            trx,
          );
          if (first) {
            await audit.record(actor, { action: 'registration.closed', detail: { reason: 'first administrator created' } }, trx);
          }
          const key = await keys.create(trx, actor, user);
          return { row, user, key, first };
        });
      } catch (e) {
        if (e instanceof AppError && e.code === 'SIGNUPS_CLOSED') {
          await audit.record(
            { userId: null, username: input.username, ip },
            { action: 'user.signup', outcome: 'failure', target: input.username, detail: { reason: 'signups_closed' } },
          );
        }
        throw (await accountConflict(e, db.read, users, input.username)) ?? e;
      }
      const { token } = await tokens.issue(result.row);
      return { user: result.user, key: result.key, first: result.first, token };
    },
  };
}
export type SignupService = ReturnType<typeof createSignupService>;

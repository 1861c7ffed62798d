import type { ServerConfig } from './config.ts';
import type { Db } from './db/database.ts';
import type { Secrets } from './secrets.ts';
import { secretsFingerprint } from './secrets.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createArgon2Hasher, type PasswordHasher } from './lib/password-hasher.ts';
import { createAuditRepo } from './audit/audit-repo.ts';
import { createAuditService } from './audit/audit-service.ts';
import { createUsersRepo } from './users/users-repo.ts';
import { createUsersService } from './users/users-service.ts';
import { createLifecycleService } from './users/lifecycle-service.ts';
import { createUsersExport } from './users/users-export.ts';
import { createAuditExport } from './audit/audit-export.ts';
import { createKeysRepo } from './keys/keys-repo.ts';
import { createKeysService } from './keys/keys-service.ts';
import { createSettingsRepo } from './settings/settings-repo.ts';
import { createSettingsService } from './settings/settings-service.ts';
import { createJwtSigner } from './tokens/jwt.ts';
import { createTokensService } from './tokens/tokens-service.ts';
import { createLoginThrottle } from './auth/throttle.ts';
import { createThrottleRepo } from './auth/throttle-repo.ts';
import { createPasswordCheck } from './auth/password-check.ts';
import { createPrivilegedWrites } from './auth/privileged-writes.ts';
import { createSignupService } from './registration/signup-service.ts';
import { createSessionsRepo } from './sessions/sessions-repo.ts';
import { createSessionsService } from './sessions/sessions-service.ts';
import { createInvitationsRepo } from './invitations/invitations-repo.ts';
import { createInvitationsService } from './invitations/invitations-service.ts';
import { createAuthRevisionRepo } from './gate/auth-revision-repo.ts';
import { createForwardAuthService } from './gate/forward-auth-service.ts';
import { createOrgsRepo } from './orgs/orgs-repo.ts';
import { createOrgAccess } from './orgs/org-access.ts';
import { createOrgsService } from './orgs/orgs-service.ts';
import { createOrgMembersService } from './orgs/org-members-service.ts';
import { createOrgInvitationsService } from './orgs/org-invitations-service.ts';
import { createInvitationTokens } from './invitations/invitation-tokens.ts';
import { createOidcDiscovery } from './sso/oidc-discovery.ts';
import { createSecretBox } from './sso/secret-box.ts';
import { createSsoRepo } from './sso/sso-repo.ts';
import { createSsoProvidersService } from './sso/sso-providers-service.ts';
import { createSsoLoginService } from './sso/sso-login-service.ts';
import { createPasswordLinks } from './users/password-links.ts';
import { createUserImport } from './users/user-import-service.ts';

export interface ServiceDeps {
  db: Db;
  secrets: Secrets;
  clock?: Clock;
  /** Tests may inject a fast hasher; production uses argon2id. */
  hasher?: PasswordHasher;
}

/**
 * Wire every domain service with its explicit dependencies. Used by the HTTP
 * app and by the CLI alike, so both enforce the same rules.
 */
export async function createServices(config: ServerConfig, deps: ServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? systemClock;
  const hasher = deps.hasher ?? createArgon2Hasher(config.hashConcurrency, config.hashQueueLimit);
  const auditRepo = createAuditRepo(db);
  const audit = createAuditService({ db, repo: auditRepo, clock, secretKey: deps.secrets.secretKey });
  const usersRepo = createUsersRepo(db);
  const writes = createPrivilegedWrites(db);
  const keys = createKeysService({ db, repo: createKeysRepo(db), clock, pepper: deps.secrets.keyPepper, audit, writes, maxPerUser: config.maxKeysPerUser });
  const settingsRepo = createSettingsRepo();
  const settings = createSettingsService({ db, repo: settingsRepo, audit, clock, writes });
  const jwt = await createJwtSigner({ privateKeyPem: deps.secrets.jwtPrivateKeyPem, clock, lifetimeSeconds: config.jwtExpirationDelta });
  const throttle = createLoginThrottle({
    repo: createThrottleRepo(db),
    limits: {
      windowSeconds: config.throttleWindowSeconds,
      accountFailures: config.throttleAccountFailures,
      addressFailures: config.throttleAddressFailures,
      ssoStarts: config.throttleSsoStarts,
    },
    clock,
    secretKey: deps.secrets.secretKey,
  });
  const checkPassword = createPasswordCheck({ hasher, throttle, audit });
  const tokens = createTokensService({
    db,
    users: usersRepo,
    keys,
    jwt,
    checkPassword,
    throttle,
    audit,
    clock,
    refreshSeconds: config.jwtRefreshExpirationDelta,
  });
  const orgsRepo = createOrgsRepo(db);
  const users = createUsersService({
    db,
    repo: usersRepo,
    keys,
    audit,
    hasher,
    checkPassword,
    writes,
    clock,
    passwordMinLength: config.passwordMinLength,
    orgs: orgsRepo,
  });
  const lifecycle = createLifecycleService({ repo: usersRepo, audit, writes, clock });
  const usersExport = createUsersExport({ db, repo: usersRepo, clock });
  const auditExport = createAuditExport({ db, repo: auditRepo });
  const orgAccess = createOrgAccess({ repo: orgsRepo });
  const orgs = createOrgsService({ db, repo: orgsRepo, users: usersRepo, access: orgAccess, settings: settingsRepo, audit, writes, clock });
  const orgMembers = createOrgMembersService({ db, repo: orgsRepo, users: usersRepo, usersService: users, access: orgAccess, audit, writes, clock });
  const signup = createSignupService({
    db,
    users: usersRepo,
    settings: settingsRepo,
    keys,
    tokens,
    audit,
    hasher,
    clock,
    passwordMinLength: config.passwordMinLength,
    setupToken: config.setupToken,
  });
  const invitationsRepo = createInvitationsRepo(db.dialect);
  const invitations = createInvitationsService({
    db,
    repo: invitationsRepo,
    users: usersRepo,
    keys,
    tokens,
    audit,
    hasher,
    clock,
    passwordMinLength: config.passwordMinLength,
    secretKey: deps.secrets.secretKey,
    writes,
    orgs: orgsRepo,
  });
  const orgInvitations = createOrgInvitationsService({
    db,
    repo: invitationsRepo,
    tokens: createInvitationTokens(deps.secrets.secretKey, invitationsRepo),
    orgs: orgsRepo,
    access: orgAccess,
    audit,
    writes,
    clock,
  });
  const sessions = createSessionsService({
    db,
    repo: createSessionsRepo(),
    users: usersRepo,
    clock,
    secretKey: deps.secrets.secretKey,
    idleSeconds: config.sessionIdleTimeout,
    absoluteSeconds: config.sessionCookieAge,
  });
  const ssoRepo = createSsoRepo(db.dialect);
  const discovery = createOidcDiscovery({ now: () => clock.now().getTime() });
  const secretBox = createSecretBox(deps.secrets.ssoKey);
  const ssoProviders = createSsoProvidersService({ db, repo: ssoRepo, access: orgAccess, discovery, box: secretBox, audit, writes, clock });
  const ssoLogin = createSsoLoginService({
    db,
    repo: ssoRepo,
    users: usersRepo,
    settings: settingsRepo,
    discovery,
    box: secretBox,
    audit,
    clock,
    secretKey: deps.secrets.secretKey,
    orgs: orgsRepo,
    issue: (user, org) => tokens.issue(user, org ? { org } : {}),
    throttle,
  });
  const passwordLinks = createPasswordLinks({
    db,
    clock,
    hasher,
    audit,
    writes,
    secretKey: deps.secrets.secretKey,
    passwordMinLength: config.passwordMinLength,
  });
  const userImport = createUserImport({
    db,
    users: usersRepo,
    usersService: users,
    orgs: orgsRepo,
    keys,
    audit,
    writes,
    clock,
    passwordLinks,
    invitationsRepo,
    invitationTokens: createInvitationTokens(deps.secrets.secretKey, invitationsRepo),
  });
  const forwardAuth = createForwardAuthService({ sessions, tokens, keys, revision: createAuthRevisionRepo(db), clock });
  return {
    config,
    db,
    clock,
    hasher,
    audit,
    usersRepo,
    users,
    lifecycle,
    usersExport,
    auditExport,
    keys,
    settings,
    jwt,
    throttle,
    tokens,
    signup,
    invitations,
    sessions,
    forwardAuth,
    orgsRepo,
    orgs,
    orgMembers,
    orgInvitations,
    ssoProviders,
    ssoLogin,
    passwordLinks,
    userImport,
  };
}
export type Services = Awaited<ReturnType<typeof createServices>>;

/**
 * Compare the secrets in `.env` with the fingerprint stored in the database.
 * Stores it on first use; on a mismatch returns one clear sentence for the
 * log, since every existing key and token is now invalid.
 */
export async function checkSecretsFingerprint(db: Db, secrets: Secrets): Promise<string | null> {
  const fp = secretsFingerprint(secrets);
  const row = await db.read.selectFrom('meta').select('value').where('key', '=', 'secrets_fingerprint').executeTakeFirst();
  if (!row) {
    await db.write
      .insertInto('meta')
      .values({ key: 'secrets_fingerprint', value: fp })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return null;
  }
  if (row.value === fp) return null;
  return 'The secrets in .env are not the ones this database was created with: every existing API key and token is invalid. Restore the original .env to keep them, or issue new keys.';
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { InvitationsService } from '../invitations/invitations-service.ts';
import type { KeysService } from '../keys/keys-service.ts';
import type { OrgInvitationsService } from '../orgs/org-invitations-service.ts';
import type { OrgMembersService } from '../orgs/org-members-service.ts';
import type { OrgsRepo } from '../orgs/orgs-repo.ts';
import type { OrgsService } from '../orgs/orgs-service.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { Clock } from '../lib/clock.ts';
import type { SignupService } from '../registration/signup-service.ts';
import type { ActiveSession, SessionsService } from '../sessions/sessions-service.ts';
import type { TokensService } from '../tokens/tokens-service.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { UsersService } from '../users/users-service.ts';
import type { FlashStore } from './flash.ts';
import type { SafeHtml } from './html.ts';

/** The services and settings the pages use. */
export interface PagesDeps {
  config: Pick<ServerConfig, 'passwordMinLength' | 'jwtExpirationDelta' | 'sessionCookieSecure' | 'sessionCookieAge'>;
  db: Pick<Db, 'read'>;
  clock: Clock;
  sessions: SessionsService;
  signup: SignupService;
  invitations: InvitationsService;
  tokens: TokensService;
  users: UsersService;
  usersRepo: UsersRepo;
  keys: KeysService;
  orgs: OrgsService;
  orgMembers: OrgMembersService;
  orgInvitations: OrgInvitationsService;
  /** One member by id, for a confirmation page (the write itself goes through orgMembers). */
  orgsRepo: Pick<OrgsRepo, 'member'>;
  settings: Pick<SettingsService, 'values'>;
}

/** What every page handler is given: the services, the flash messages, and the session and CSRF helpers (pages-plugin.ts). */
export interface PageContext {
  s: PagesDeps;
  flash: FlashStore;
  /** The live session, or null. Resolved once per request. */
  session(request: FastifyRequest): Promise<ActiveSession | null>;
  startSession(request: FastifyRequest, reply: FastifyReply, user: ActiveSession['user']): Promise<ActiveSession>;
  endSession(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** CSRF token for a form on an anonymous page (sets the pre-session cookie when absent). */
  anonymousCsrf(request: FastifyRequest, reply: FastifyReply): string;
  /** Refuse a POST whose CSRF token does not match (403 page); returns false when refused. */
  checkCsrf(request: FastifyRequest, reply: FastifyReply, session: ActiveSession | null): boolean;
  send(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply;
  errorPage(reply: FastifyReply, status: number, title: string, text: string | SafeHtml): FastifyReply;
}

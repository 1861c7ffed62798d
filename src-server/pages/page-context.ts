import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import type { ActiveSession } from '../sessions/sessions-service.ts';
import type { FlashStore } from './flash.ts';
import type { SafeHtml } from './html.ts';

/** What every page handler is given: the services, the flash messages, and the session and CSRF helpers (pages-plugin.ts). */
export interface PageContext {
  s: Services;
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

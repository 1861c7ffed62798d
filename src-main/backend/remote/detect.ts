import type { Agent as HttpsAgent } from 'node:https';
import { findForm } from './admin-forms.ts';
import { createAdminHttp } from './admin-http.ts';
import { remoteErrors } from './remote-errors.ts';
import { adminPathOf } from './remote-backend.ts';

export type ServerKind = 'embedded' | 'remote-graphistry';

/**
 * Which kind of server a remote profile's address is, asked the way each
 * answers: a Graphistry Admin server says whether it has users at
 * `/api/v2/auth/registration` (JSON); a Graphistry shows Django's admin
 * sign-in form at its admin path. A Graphistry whose admin is elsewhere still
 * answers its token API (`/api-token-auth/`, Django REST framework refusing a
 * GET), which tells a wrong admin path from an address that is no Graphistry.
 * An unreachable host or a refused certificate fails here, with its own error.
 */
export async function detectServer(opts: {
  baseUrl: string;
  adminPath?: string;
  timeoutMs: number;
  httpsAgent?: () => Promise<HttpsAgent | undefined>;
}): Promise<ServerKind> {
  const http = createAdminHttp({ baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs, ...(opts.httpsAgent ? { httpsAgent: opts.httpsAgent } : {}) });
  const json = (body: string): Record<string, unknown> | null => {
    try {
      const v: unknown = JSON.parse(body);
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };

  const registration = await http.get(http.url('api/v2/auth/registration'), { follow: false });
  if (registration.status === 200 && typeof json(registration.body)?.has_users === 'boolean') return 'embedded';

  const admin = http.url(adminPathOf(opts.adminPath));
  const login = await http.get(new URL('login/', admin), { follow: true });
  if (login.status === 200 && findForm(login.html, login.url.toString(), ['username', 'password', 'csrfmiddlewaretoken'])) return 'remote-graphistry';

  const tokenApi = await http.get(http.url('api-token-auth/'), { follow: false });
  const drf = (tokenApi.status === 405 || tokenApi.status === 400) && json(tokenApi.body) !== null;
  if (drf) throw remoteErrors.wrongAdminPath(http.host, admin.pathname);
  throw remoteErrors.notGraphistry(http.host, `nothing answered at /api/v2/auth/registration nor ${admin.pathname}login/`);
}

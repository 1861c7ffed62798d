import { hostname, userInfo } from 'node:os';
import type { Actor } from '../audit/audit-service.ts';

/** Who a command run on this machine acts as, in the audit log: `cli:<os user>@<host>` (no account behind it). */
export function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return { userId: null, username: `cli:${name}@${hostname()}`, ip: null };
}

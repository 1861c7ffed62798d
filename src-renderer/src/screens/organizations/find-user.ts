import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';

/** A user by exact username (case-insensitive), through the Users list's search. */
export async function findUserByName(connection: string, username: string): Promise<{ ok: true; id: number } | { ok: false; error: ConsoleError | null }> {
  const r = await call('listUsers', { connection, search: username, page_size: 50 });
  if (!r.ok) return { ok: false, error: r.error };
  const found = r.value.results.find((u) => u.username.toLowerCase() === username.toLowerCase());
  return found ? { ok: true, id: found.id } : { ok: false, error: null };
}

import type { UserQuery } from '../../../src-shared/domain.ts';
import type { ListLayout } from './change-list.ts';
import { remoteErrors } from './remote-errors.ts';
import { GRAPHISTRY_UNSUPPORTED } from '../capabilities.ts';

/**
 * The change list's query string for a Users manager query: the admin's own
 * search box (`q`, its search_fields) or, where that does not find
 * usernames, a username filter (`username__icontains`); the staff / superuser / active filters as Django's boolean filters
 * write them (`is_staff__exact=1`, accepted for any field of the model); the
 * ordering as `o=<column index>` (negative for descending), which Django
 * offers only for the columns its list shows.
 */
export function listParams(q: UserQuery, layout: ListLayout | null, searchByQ: boolean, host: string): URLSearchParams {
  // Filtering by it would need a request per user, and its list cannot tell: declared, never guessed.
  if (q.sign_in !== undefined) throw remoteErrors.unsupported(GRAPHISTRY_UNSUPPORTED.sign_in_method);
  const p = new URLSearchParams();
  const search = q.search?.trim();
  if (search) p.set(searchByQ ? 'q' : 'username__icontains', search);
  for (const f of ['is_staff', 'is_superuser', 'is_active'] as const) {
    if (q[f] !== undefined) p.set(`${f}__exact`, q[f] ? '1' : '0');
  }
  if (q.ordering) {
    const desc = q.ordering.startsWith('-');
    const field = desc ? q.ordering.slice(1) : q.ordering;
    const column = layout?.columns.find((c) => c.field === field);
    if (!column || column.orderIndex === null)
      throw remoteErrors.unsupported(
        `The admin site at ${host} does not sort users by ${field.replace('_', ' ')}: it sorts only by the columns its user list shows.`,
      );
    p.set('o', `${desc ? '-' : ''}${column.orderIndex}`);
  }
  return p;
}

/** The columns a layout can sort by, as the Users manager names them. */
export function sortableFields(layout: ListLayout | null): string[] {
  return (layout?.columns ?? []).filter((c) => c.orderIndex !== null).map((c) => c.field);
}

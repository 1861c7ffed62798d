// What a Django peer's database holds, as `manage.py dumpdata` writes it, so a
// test can say exactly what a write changed: nothing (a refusal), or only the
// fields it asked for. Sessions, the admin's change history, content types,
// permissions and django-axes' sign-in records are left out: they change with
// every sign-in or page, not with what the console writes.
import type { DjangoPeer } from './django-peer.ts';

export interface DumpRow {
  model: string;
  pk: unknown;
  fields: Record<string, unknown>;
}

const DUMP = [
  'import io',
  'from django.apps import apps',
  'from django.core.management import call_command',
  "noise = {'sessions', 'admin', 'contenttypes', 'axes'}",
  "labels = [m._meta.label_lower for m in apps.get_models() if m._meta.app_label not in noise and m._meta.label_lower != 'auth.permission']",
  'out = io.StringIO()',
  'call_command("dumpdata", *labels, stdout=out)',
  'print(out.getvalue())',
].join('\n');

export async function dumpPeer(peer: DjangoPeer): Promise<DumpRow[]> {
  const printed = (await peer.shell(DUMP)).trim().split('\n').at(-1) ?? '[]';
  return JSON.parse(printed) as DumpRow[];
}

/** A date-time that lost only its fraction of a second. */
const toTheSecond = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/.test(a) && b === `${a.slice(0, 19)}Z`;

/**
 * What differs between two dumps: `<model> <pk> <field>` for a changed field,
 * `<model> <pk> added|removed` for a row. A date-time that only lost its
 * fraction of a second reads `<model> <pk> <field> to the second`: Django's
 * admin shows and posts dates to the second, so any save through it (a
 * browser's or the console's) drops the fraction.
 */
export function dumpDiff(before: DumpRow[], after: DumpRow[]): string[] {
  const key = (r: DumpRow) => `${r.model} ${String(r.pk)}`;
  const was = new Map(before.map((r) => [key(r), r]));
  const is = new Map(after.map((r) => [key(r), r]));
  const out: string[] = [];
  for (const [k, r] of is) {
    const old = was.get(k);
    if (!old) out.push(`${k} added`);
    else
      for (const f of new Set([...Object.keys(old.fields), ...Object.keys(r.fields)])) {
        if (JSON.stringify(old.fields[f]) !== JSON.stringify(r.fields[f]))
          out.push(toTheSecond(old.fields[f], r.fields[f]) ? `${k} ${f} to the second` : `${k} ${f}`);
      }
  }
  for (const k of was.keys()) if (!is.has(k)) out.push(`${k} removed`);
  return out.sort();
}

import { z } from 'zod';

/** One service behind the built-in gate: `name=/prefix/=http://host:port`. */
export interface GateSpec {
  name: string;
  /** Path prefix on this server, with both slashes: `/notebook/`. Forwarded unchanged, so the service must serve under it too. */
  prefix: string;
  /** The service's origin, e.g. `http://127.0.0.1:8888`. */
  upstream: string;
}

/** Paths the account server answers itself: a gate may not shadow them. */
const RESERVED = ['/api/', '/api-token-', '/accounts/', '/dashboard/', '/static/', '/auth/', '/ht/', '/.well-known/', '/g/sso/', '/o/'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const PREFIX = /^\/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)+$/;

/** Parse one `name=/prefix/=upstream` entry; returns the spec or the sentence saying what is wrong. */
export function parseGateSpec(text: string): GateSpec | string {
  const first = text.indexOf('=');
  const second = first < 0 ? -1 : text.indexOf('=', first + 1);
  if (first < 0 || second < 0) return `"${text}" is not name=/prefix/=http://host:port`;
  const name = text.slice(0, first);
  const prefix = text.slice(first + 1, second);
  const target = text.slice(second + 1);
  if (!NAME.test(name)) return `"${name}" is not a gate name (letters, digits, - and _, at most 32)`;
  if (!PREFIX.test(prefix) || prefix.split('/').some((seg) => seg === '.' || seg === '..')) {
    return `${name}: the prefix "${prefix}" must be a path that starts and ends with "/", such as /notebook/`;
  }
  const clash = RESERVED.find((r) => prefix.startsWith(r) || r.startsWith(prefix));
  if (clash) return `${name}: the prefix ${prefix} overlaps the server's own ${clash}`;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `${name}: "${target}" is not a URL such as http://127.0.0.1:8888`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${name}: the upstream must be http:// or https://`;
  if (url.username || url.password) return `${name}: the upstream URL must not hold credentials`;
  if (url.pathname !== '/' || url.search || url.hash) {
    return `${name}: the upstream must be an origin only (such as http://127.0.0.1:8888); paths are forwarded unchanged, so serve the service under ${prefix}`;
  }
  return { name, prefix, upstream: url.origin };
}

/**
 * GATES: from `--gate` flags (one entry each) or `GATES` in the environment
 * or `.env` (entries separated by spaces or commas). Every problem is
 * reported, and prefixes and names must not overlap.
 */
export const gatesSchema = z.union([z.string(), z.array(z.string())]).transform((raw, ctx): GateSpec[] => {
  const entries = (Array.isArray(raw) ? raw : raw.split(/[\s,]+/)).map((e) => e.trim()).filter(Boolean);
  const specs: GateSpec[] = [];
  for (const entry of entries) {
    const parsed = parseGateSpec(entry);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    else specs.push(parsed);
  }
  for (const [i, a] of specs.entries()) {
    for (const b of specs.slice(i + 1)) {
      if (a.name === b.name) ctx.addIssue({ code: 'custom', message: `two gates are named ${a.name}` });
      if (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix))
        ctx.addIssue({ code: 'custom', message: `${a.name} (${a.prefix}) and ${b.name} (${b.prefix}) overlap` });
    }
  }
  return specs;
});

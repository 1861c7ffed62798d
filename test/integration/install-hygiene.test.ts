import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const semver = require('semver') as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };
const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('install hygiene', () => {
  // Regression: cookie@2.0.2 (engines node >=22) came in through @fastify/cookie, so `npm ci` on the Node 20 the README names printed EBADENGINE.
  it('every runtime dependency in the lock file accepts the oldest Node the project supports', () => {
    const pkg = read('package.json') as { engines: { node: string } };
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    const lock = read('package-lock.json') as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean; version?: string; engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !p.dev && !p.devOptional && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
      .map(([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    expect(oldest).toBe('20.19.0');
    expect(refusing).toEqual([]);
  });
});

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
/** Markdown without its fenced code blocks. */
const unfenced = (md: string) => md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
/** Markdown outside code blocks and inline code, where links are links. */
const prose = (md: string) => unfenced(md).replace(/`[^`]*`/g, '');
/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of unfenced(md).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

describe('README and docs', () => {
  it('the README opens with the two-command quick start', () => {
    const readme = text('README.md');
    const sections = [...unfenced(readme).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections[0]).toBe('Quick start');
    const start = readme.slice(readme.indexOf('## Quick start'));
    expect(start.slice(0, start.indexOf('\n## ', 1))).toContain('npm ci && npm start');
    expect(start.slice(0, start.indexOf('\n## ', 1))).toMatch(/^npm test\b/m);
  });

  it('the README stays short and lists every page of docs/', () => {
    const readme = text('README.md');
    expect(readme.length, 'long sections belong in docs/, linked from the README').toBeLessThan(16_000);
    const listed = [...readme.matchAll(/\]\((docs\/[^)#]+\.md)\)/g)].map((m) => m[1]);
    expect(DOCS.filter((d) => !listed.includes(d))).toEqual([]);
  });

  it('every relative link in README.md and docs/*.md reaches a file, and its anchor a heading there', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...DOCS]) {
      for (const [, target] of prose(text(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const linked = path ? normalize(join(dirname(file), decodeURIComponent(path))) : file;
        if (!existsSync(join(ROOT, linked))) broken.push(`${file}: ${target} (no file ${linked})`);
        else if (anchor !== undefined && (!linked.endsWith('.md') || !anchors(text(linked)).has(anchor)))
          broken.push(`${file}: ${target} (no heading #${anchor} in ${linked})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('docs/staff-access.md holds the nginx and Caddy snippets the end-to-end test runs', () => {
    const doc = text('docs/staff-access.md');
    for (const [name, fence] of [
      ['nginx', 'nginx'],
      ['caddy', 'caddyfile'],
    ]) {
      expect(doc).toMatch(new RegExp(`<!-- ${name}-snippet:begin -->\\s*\`\`\`${fence}\\n[\\s\\S]+?\`\`\`\\s*<!-- ${name}-snippet:end -->`));
    }
  });
});

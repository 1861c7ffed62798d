// Which Django the reference Graphistry peer runs on. 3.2 is Debian bookworm's
// python3-django, installed on the system; 4.2 (trixie) and 5.2 (sid) are
// Debian's packages unpacked by scripts/django-versions.sh into a cache
// folder and put first on PYTHONPATH for the same /usr/bin/python3.
// Graphistry releases run newer Django than 3.2, so the suites that work the
// admin site loop over every version here. Under CI=true a version that is
// missing is a failure; elsewhere its tests skip with a loud message.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PYTHON = '/usr/bin/python3';
export const DJANGO_VERSIONS = ['3.2', '4.2', '5.2'] as const;
export type DjangoVersion = (typeof DJANGO_VERSIONS)[number];

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = process.env.GADM_DJANGO_CACHE ?? join(REPO, '.cache', 'django');
const IMPORTS = 'import django, constance, picklefield, rest_framework, rest_framework_simplejwt; print(django.get_version())';

/** The environment that makes /usr/bin/python3 import this Django (nothing for the system's 3.2). */
export function djangoEnv(version: DjangoVersion): Record<string, string> {
  return version === '3.2' ? {} : { PYTHONPATH: join(CACHE, version, 'root', 'usr', 'lib', 'python3', 'dist-packages') };
}

export type DjangoRuntime = { version: DjangoVersion; ok: true; full: string } | { version: DjangoVersion; ok: false; why: string };

const probed = new Map<DjangoVersion, Promise<DjangoRuntime>>();

/** Whether the peer can run on this Django here, and the exact version Django reports. */
export function probeDjango(version: DjangoVersion): Promise<DjangoRuntime> {
  let p = probed.get(version);
  if (!p) {
    p = (async (): Promise<DjangoRuntime> => {
      if (!existsSync(PYTHON)) return { version, ok: false, why: `${PYTHON} is missing` };
      const hint =
        version === '3.2'
          ? 'apt-get install python3-django python3-django-constance python3-django-picklefield python3-djangorestframework python3-djangorestframework-simplejwt'
          : `run scripts/django-versions.sh ${version}`;
      try {
        // The user's own PYTHONPATH must not put another Django in front of the one asked for.
        const { stdout } = await run(PYTHON, ['-c', IMPORTS], { env: { ...process.env, PYTHONPATH: '', ...djangoEnv(version) }, timeout: 30_000 });
        const full = stdout.trim();
        if (!full.startsWith(`${version}.`))
          return { version, ok: false, why: `Django ${version} was asked for but ${PYTHON} imports Django ${full} (${hint})` };
        return { version, ok: true, full };
      } catch {
        return { version, ok: false, why: `Django ${version} with django-constance, picklefield, DRF and simplejwt does not import under ${PYTHON} (${hint})` };
      }
    })();
    probed.set(version, p);
  }
  return p;
}

/** The Django versions wanted: all of them, or those `GADM_DJANGO_VERSIONS=3.2,5.2` names for a quick local run. */
function wantedVersions(): DjangoVersion[] {
  return (process.env.GADM_DJANGO_VERSIONS ?? DJANGO_VERSIONS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((v): v is DjangoVersion => (DJANGO_VERSIONS as readonly string[]).includes(v));
}

/**
 * Every Django the suites run the peer on, each with why it cannot run here
 * (or its exact version). `GADM_DJANGO_VERSIONS=3.2,5.2` narrows the list for
 * a quick local run; under CI=true every version must be present.
 */
export async function djangoRuntimes(): Promise<DjangoRuntime[]> {
  const wanted = wantedVersions();
  const runtimes = await Promise.all(wanted.map(probeDjango));
  const missing = runtimes.filter((r) => !r.ok);
  if (process.env.CI === 'true' && (missing.length || wanted.length < DJANGO_VERSIONS.length)) {
    const why = missing.map((r) => (r.ok ? '' : r.why)).join('; ') || `GADM_DJANGO_VERSIONS leaves some out (${wanted.join(',')})`;
    throw new Error(`every Django version (${DJANGO_VERSIONS.join(', ')}) is required under CI=true: ${why}`);
  }
  return runtimes;
}

/**
 * One Django, for a suite split into a file per version so that its peers run
 * side by side (test/helpers/user-models-suite.ts): as djangoRuntimes() gives
 * it, and required the same way under CI=true.
 */
export async function djangoRuntime(version: DjangoVersion): Promise<DjangoRuntime> {
  const runtime: DjangoRuntime = wantedVersions().includes(version)
    ? await probeDjango(version)
    : { version, ok: false, why: `GADM_DJANGO_VERSIONS leaves Django ${version} out` };
  if (process.env.CI === 'true' && !runtime.ok) throw new Error(`Django ${version} is required under CI=true: ${runtime.why}`);
  return runtime;
}

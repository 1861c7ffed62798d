// The reference Graphistry peer (test/fixtures/graphistry-peer): a real Django
// project on Debian's python3-django (3.2 from the system, or 4.2 / 5.2 from
// scripts/django-versions.sh: see django-versions.ts), started on a free loopback port the way
// an operator would (migrate, createsuperuser --noinput, runserver --noreload),
// and stopped by the pid it was given. Its request log is kept, so tests and
// the bench can count the HTTP requests the console made.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { djangoEnv, probeDjango, PYTHON, type DjangoVersion } from './django-versions.ts';
import { startPeerShell } from './peer-shell.ts';

const run = promisify(execFile);
export { PYTHON };
export const PEER_DIR = fileURLToPath(new URL('../fixtures/graphistry-peer/', import.meta.url));
/** The peer's variations (test/fixtures/graphistry-variants): each a way a real admin site differs, picked by PEER_VARIANT. */
export const VARIANTS_DIR = fileURLToPath(new URL('../fixtures/graphistry-variants/', import.meta.url));
export const PEER_ADMIN = { username: 'admin', email: 'admin@example.com', password: 'correct horse battery staple' } as const;

export interface PeerOptions {
  /** Which columns the user admin lists: see test/fixtures/graphistry-peer/users/admin.py. */
  listDisplay?: 'graphistry' | 'django' | 'cookiecutter';
  /** Run a variation of the peer instead (see test/fixtures/graphistry-variants/variants/settings.py). */
  variant?: string;
  adminPath?: string;
  /** Behind a TLS-terminating proxy (trust X-Forwarded-Proto; Secure cookies; CSRF checks Referer). */
  tlsProxy?: boolean;
  timeZone?: string;
  /** LANGUAGE_CODE (default en-us): the admin's pages, dates and messages in that language. */
  language?: string;
  /** Django's LocaleMiddleware: the language then follows each request's Accept-Language. */
  localeMiddleware?: boolean;
  /** Which Django runs it (default: the system's 3.2). */
  django?: DjangoVersion;
}

export interface DjangoPeer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** The Django version the running server printed (`Django version 5.2.18, using settings …`). */
  django: string;
  /** Requests the server has logged so far. */
  requests(): number;
  log(): string;
  /** CODE run as `manage.py shell -c CODE` would run it (in one long-lived shell: peer-shell.ts), its standard output. */
  shell(code: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why the peer cannot run here on the system's Django 3.2 (no Debian python3-django stack), or null. */
export async function djangoMissing(): Promise<string | null> {
  const r = await probeDjango('3.2');
  return r.ok ? null : r.why;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startDjangoPeer(opts: PeerOptions = {}): Promise<DjangoPeer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gadm-peer-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PEER_DATA_DIR: dataDir,
    PEER_SECRET_KEY: `peer-${process.pid}-${Date.now()}-${Math.random()}`,
    PEER_ADMIN_PATH: opts.adminPath ?? 'admin/',
    PEER_LIST_DISPLAY: opts.listDisplay ?? 'graphistry',
    PEER_TLS_PROXY: opts.tlsProxy ? '1' : '0',
    PEER_TIME_ZONE: opts.timeZone ?? 'UTC',
    PEER_LANGUAGE: opts.language ?? 'en-us',
    PEER_LOCALE_MIDDLEWARE: opts.localeMiddleware ? '1' : '0',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    // Another Django on the developer's own PYTHONPATH must not stand in for the one asked for.
    PYTHONPATH: '',
    ...djangoEnv(opts.django ?? '3.2'),
    PEER_VARIANT: opts.variant ?? '',
    // By environment rather than flags: a user model signed in to by email has no --username option.
    DJANGO_SUPERUSER_USERNAME: PEER_ADMIN.username,
    DJANGO_SUPERUSER_EMAIL: PEER_ADMIN.email,
    DJANGO_SUPERUSER_PASSWORD: PEER_ADMIN.password,
  };
  const cwd = opts.variant ? VARIANTS_DIR : PEER_DIR;
  const manage = (args: string[], timeout = 60_000) => run(PYTHON, ['manage.py', ...args], { cwd, env, timeout, maxBuffer: 32 * 1024 * 1024 });
  try {
    await manage(['migrate', '--noinput']);
    await manage(['createsuperuser', '--noinput']);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc: ChildProcess = spawn(PYTHON, ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout!.on('data', (c) => (log += String(c)));
    proc.stderr!.on('data', (c) => (log += String(c)));
    // runserver prints its banner before it binds: only an answer from /ht/ says it listens (and that the port was ours).
    const exitedEarly = new Promise<false>((resolve) => proc.once('exit', () => resolve(false)));
    const answers = (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && proc.exitCode === null) {
        const ok = await fetch(`http://127.0.0.1:${port}/ht/`).then(
          (r) => r.status === 200,
          () => false,
        );
        // Ours only if our own process logged the request (another server could hold a port that was free a moment ago).
        await new Promise((r) => setTimeout(r, ok ? 50 : 100));
        if (ok && proc.exitCode === null && /"GET \/ht\/ HTTP\/1\.1" 200/.test(log)) return true;
      }
      return false;
    })();
    const up = await Promise.race([answers, exitedEarly]);
    if (!up) {
      proc.kill('SIGKILL');
      if (attempt < 2 && /already in use/i.test(log)) continue;
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`the Django peer did not start:\n${log.slice(-3000)}`);
    }
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const shell = startPeerShell(PYTHON, cwd, env);
    const django = /Django version (\S+?),/.exec(log)?.[1] ?? 'unknown';
    const wanted = opts.django ?? '3.2';
    if (!django.startsWith(`${wanted}.`)) {
      proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`the Django peer was to run on Django ${wanted} but says Django ${django}`);
    }
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      pid: proc.pid!,
      dataDir,
      django,
      requests: () => (log.match(/"(GET|POST|HEAD|PUT|DELETE|PATCH) \S+ HTTP\/1\.[01]"/g) ?? []).length,
      log: () => log,
      shell: (code) => shell.run(code),
      async stop() {
        shell.stop();
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        }
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * `n` users in the peer in one bulk insert through Django's ORM (`manage.py
 * shell`, bulk_create; one password hash computed once and shared, so seeding
 * is not a PBKDF2 loop): u000001 … with emails and display names, joined over
 * 2024, every 7th staff, every 11th inactive, every 3rd signed in once.
 */
export async function seedPeerUsers(peer: DjangoPeer, n: number): Promise<{ ms: number; total: number }> {
  const started = Date.now();
  const out = await peer.shell(
    [
      'from datetime import datetime, timedelta, timezone',
      'from django.contrib.auth.hashers import make_password',
      'from users.models import User',
      "h = make_password('seeded password, not for signing in')",
      't0 = datetime(2024, 1, 1, tzinfo=timezone.utc)',
      `span = 365 * 86400 // ${n}`,
      `rows = [User(username='u%06d' % i, email='u%06d@seed.example' % i, name='Seed %d' % i, password=h, is_active=i % 11 != 0, is_staff=i % 7 == 0, date_joined=t0 + timedelta(seconds=span * i), last_login=(t0 + timedelta(seconds=span * i + 86400)) if i % 3 == 0 else None) for i in range(1, ${n} + 1)]`,
      'User.objects.bulk_create(rows, batch_size=2000)',
      'print(User.objects.count())',
    ].join('\n'),
  );
  return { ms: Date.now() - started, total: Number(out.trim().split('\n').at(-1)) };
}

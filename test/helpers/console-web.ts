// Helpers for the console's end-to-end test: build the renderer when it is
// stale, run `scripts/console-web.ts` as a real child process (with a
// throwaway keychain where one can be made), call its bridge, talk to the
// bundled server's own REST API, and seed its SQLite file directly.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { User } from '../../src-shared/domain.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Where web mode keeps the bundled server's data inside its own data dir (see src-main/bridge/host-handlers.ts). */
export const bundledServerDir = (consoleDataDir: string) => join(consoleDataDir, 'server');
/** The bundled server's SQLite file (see src-server/db/database.ts). */
export const bundledSqliteFile = (consoleDataDir: string) => join(bundledServerDir(consoleDataDir), 'graphistry-admin.sqlite3');

/** out/ holds a build of the current sources (see build-outputs.ts; the suite's global setup builds it once). */
export { ensureBuilt as ensureRendererBuilt } from './build-outputs.ts';

export interface ConsoleWeb {
  /** The printed URL, token included: `http://127.0.0.1:PORT/?token=...`. */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** The console-web Node process (not the dbus-run-session wrapper). */
  pid: number;
  dataDir: string;
  /** Whether it runs with its own throwaway Secret Service (gnome-keyring in a private D-Bus session). */
  keychain: boolean;
  output(): string;
  bridge<T = unknown>(method: string, params?: unknown): Promise<BridgeResult<T>>;
  /** SIGTERM the console (it stops the bundled server first) and wait for it to end. */
  stop(): Promise<void>;
}

export type BridgeResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; fields?: Record<string, string> } };

const has = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1" >/dev/null', 'sh', cmd]).status === 0;

/** The environment minus anything that would reach a developer's own D-Bus session (and so their login keyring). */
function withoutSessionBus(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'DBUS_SESSION_BUS_ADDRESS') out[k] = v;
  return out;
}

/**
 * Preloaded into the console: when its stdin (a pipe from this test process)
 * ends, because the test run ended or was killed, it sends itself SIGTERM, so
 * it stops its bundled server and exits instead of living on as an orphan.
 */
const STOP_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  "process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM')); process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM')); process.stdin.resume();",
)}`;

/**
 * Start `node --import tsx scripts/console-web.ts --data-dir DIR` and wait
 * for its URL line. Like `npm start`, it chooses its own port: the one this
 * data folder's last launch kept, or a free one the first time (so consoles
 * over different temp folders never share one). Where dbus-run-session and
 * gnome-keyring-daemon exist it runs inside its own D-Bus session with an
 * unlocked throwaway keyring (as `npm test` does), so the console keeps its
 * machine key the way the desktop app would, and never touches a real
 * keyring; elsewhere it runs without a session bus, i.e. with no keychain.
 */
export async function startConsoleWeb(
  dataDir: string,
  opts: {
    keychain?: boolean;
    timeoutMs?: number;
    /** The keyring's folder, kept across launches (a relaunch finds what the last one stored); by default a throwaway one. */
    keyringHome?: string;
    /** `--port N`: this port (0: a fresh free one, ignoring the kept port). Absent: the console chooses, as `npm start` does. */
    port?: number;
    /** `--new-token`: links and tabs of earlier launches stop working. */
    newToken?: boolean;
  } = {},
): Promise<ConsoleWeb> {
  const keychain = (opts.keychain ?? true) && has('dbus-run-session') && has('gnome-keyring-daemon');
  const nodeArgs = [
    ...['--import', 'tsx', '--import', STOP_WITH_PARENT, join(REPO, 'scripts', 'console-web.ts'), '--data-dir', dataDir],
    ...(opts.port === undefined ? [] : ['--port', String(opts.port)]),
    ...(opts.newToken ? ['--new-token'] : []),
  ];
  // A developer's CONSOLE_WEB_PORT would give every test console the same port.
  const { CONSOLE_WEB_PORT: _fixed, ...inherited } = process.env;
  const env = withoutSessionBus(inherited);
  // `sh` prints its pid and then execs node, so that pid IS the console's.
  let proc: ChildProcess;
  let keyringHome: string | null = null;
  if (keychain) {
    keyringHome = opts.keyringHome ?? mkdtempSync(join(tmpdir(), 'gadm-e2e-keyring-'));
    const script =
      'echo "CONSOLE_PID $$"; printf %s test-keyring | XDG_DATA_HOME="$GADM_KEYRING_HOME" XDG_RUNTIME_DIR="$GADM_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null' +
      ' || echo "gnome-keyring-daemon did not start: the console runs without a keychain" >&2; exec "$@"';
    proc = spawn('dbus-run-session', ['--', 'sh', '-c', script, 'sh', process.execPath, ...nodeArgs], {
      cwd: REPO,
      env: { ...env, GADM_KEYRING_HOME: keyringHome },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } else {
    proc = spawn('sh', ['-c', 'echo "CONSOLE_PID $$"; exec "$@"', 'sh', process.execPath, ...nodeArgs], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
  }
  let out = '';
  proc.stdout!.on('data', (c) => (out += String(c)));
  proc.stderr!.on('data', (c) => (out += String(c)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));

  const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`console-web printed no URL in ${(opts.timeoutMs ?? 30_000) / 1000} s:\n${out}`)),
      opts.timeoutMs ?? 30_000,
    );
    const check = () => {
      const m = /Graphistry Admin console \(web mode\): (http:\/\/\S+)/.exec(out);
      const p = /CONSOLE_PID (\d+)/.exec(out);
      if (m && p) {
        clearTimeout(timer);
        resolve({ url: m[1]!, pid: Number(p[1]) });
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`console-web exited (${code ?? signal}) before printing its URL:\n${out}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token')!;
  const origin = parsed.origin;

  let stopped: Promise<void> | null = null;
  return {
    url,
    origin,
    port: Number(parsed.port),
    token,
    pid,
    dataDir,
    keychain,
    output: () => out,
    bridge: <T>(method: string, params: unknown = {}) => bridgeCall<T>(origin, token, method, params),
    stop() {
      stopped ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
          const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000));
          if ((await Promise.race([exited, timeout])) === 'timeout') {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // gone meanwhile
            }
            proc.kill('SIGKILL');
            await exited;
            throw new Error(`console-web (pid ${pid}) did not end within 15 s of SIGTERM:\n${out.slice(-2000)}`);
          }
        }
        if (keyringHome && !opts.keyringHome) rmSync(keyringHome, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

export async function bridgeCall<T>(origin: string, token: string, method: string, params: unknown = {}): Promise<BridgeResult<T>> {
  const res = await fetch(`${origin}/bridge/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-console-token': token },
    body: JSON.stringify(params),
  });
  return (await res.json()) as BridgeResult<T>;
}

/** PIDs of live `graphistry-admin ... serve ... --data-dir <dir>` processes for this data dir (read from /proc). */
export function serveProcessesFor(serverDataDir: string): number[] {
  const pids: number[] = [];
  if (!existsSync('/proc')) return pids;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (args.some((a) => a.endsWith('graphistry-admin.js')) && args.includes('serve') && args.includes(serverDataDir)) {
      // A zombie (exited, not yet reaped) is not "left running".
      try {
        if (/^State:\s+Z/m.test(readFileSync(`/proc/${name}/status`, 'utf8'))) continue;
      } catch {
        continue;
      }
      pids.push(Number(name));
    }
  }
  return pids;
}

export function tempDir(prefix = 'gadm-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// ---- the bundled server's own REST API -------------------------------------------------

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
}

export async function api(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const res = await fetch(url, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

/** A JWT for a password, from POST /api/v2/auth/token/generate. */
export async function jwtFor(serverUrl: string, username: string, password: string): Promise<string> {
  const r = await api('POST', `${serverUrl}/api/v2/auth/token/generate`, { body: { username, password } });
  if (r.status !== 200 || typeof r.body.token !== 'string') throw new Error(`token/generate for ${username} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.token;
}

export type ApiUser = User;

/** One user as the server reports it (admin API, exact username match). */
export async function serverUser(serverUrl: string, jwt: string, username: string): Promise<ApiUser | null> {
  const r = await api('GET', `${serverUrl}/api/v2/admin/users?search=${encodeURIComponent(username)}&page_size=100`, {
    headers: { authorization: `Bearer ${jwt}` },
  });
  if (r.status !== 200) throw new Error(`GET /api/v2/admin/users answered ${r.status}: ${JSON.stringify(r.body)}`);
  const results = r.body.results as ApiUser[];
  return results.find((u) => u.username === username) ?? null;
}

// ---- seeding ---------------------------------------------------------------------------

/** The seeded usernames: u000001 … u100000 (a search for "u04242" narrows to exactly 10 of them). */
export const seededUsername = (i: number) => `u${String(i).padStart(6, '0')}`;

/**
 * Insert `n` users straight into the bundled server's SQLite file, in one
 * transaction, while the server runs (WAL mode; it waits on the lock). The rows
 * are valid-looking but cannot sign in: the password hash is a dummy.
 * Nobody seeded is a superuser; every 7th is staff, every 11th inactive.
 * `fields` replaces the usernames and emails (by default u000001 and u000001@seed.example),
 * and the last sign-in where `lastLogin` gives one (`undefined` keeps the default).
 */
export function seedUsers(
  sqliteFile: string,
  n: number,
  fields: { username?: (i: number) => string; email?: (i: number) => string; lastLogin?: (i: number) => string | null | undefined } = {},
): { ms: number; total: number } {
  const started = Date.now();
  const db = new SQLite(sqliteFile, { timeout: 15_000 });
  try {
    db.pragma('busy_timeout = 15000');
    const insert = db.prepare(
      `insert into users (username, username_lower, email, email_lower, password_hash, is_active, is_staff, is_superuser, auth_epoch, date_joined, last_login)
       values (?, ?, ?, ?, 'seeded$not-a-real-hash', ?, ?, 0, 0, ?, ?)`,
    );
    // Joined over the year before 2025-01-01, oldest first; one in three has signed in since.
    const t0 = Date.parse('2024-01-01T00:00:00.000Z');
    const span = 365 * 24 * 3600 * 1000;
    // Loaded as a DBA would: the table's secondary indexes and triggers (the trigram search index's
    // among them) are dropped for the load and made again after it, one pass each instead of a row at a time.
    const saved = db
      .prepare("select type, name, sql from sqlite_master where tbl_name = 'users' and type in ('index', 'trigger') and sql is not null")
      .all() as Array<{ type: string; name: string; sql: string }>;
    const search = db.prepare("select name from sqlite_master where name = 'users_search'").get();
    db.transaction(() => {
      for (const o of saved) db.exec(`drop ${o.type} ${o.name}`);
      for (let i = 1; i <= n; i++) {
        const name = (fields.username ?? seededUsername)(i);
        const email = fields.email?.(i) ?? `${name}@seed.example`;
        const lastLogin = fields.lastLogin?.(i);
        const joined = t0 + Math.floor((span * i) / n);
        insert.run(
          name,
          name.toLowerCase(),
          email,
          email.toLowerCase(),
          i % 11 === 0 ? 0 : 1,
          i % 7 === 0 ? 1 : 0,
          new Date(joined).toISOString(),
          lastLogin !== undefined ? lastLogin : i % 3 === 0 ? new Date(joined + 86_400_000).toISOString() : null,
        );
      }
      for (const o of saved) db.exec(o.sql);
      if (search) db.exec("insert into users_search (users_search) values ('rebuild')");
    })();
    // Fold the bulk insert's write-ahead log into the database file, as SQLite's automatic checkpoints
    // would have long since done for users who arrived over months: the server then reads a settled
    // database rather than replaying some 20 MB of fresh WAL on its first query.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const total = (db.prepare('select count(*) as n from users').get() as { n: number }).n;
    return { ms: Date.now() - started, total };
  } finally {
    db.close();
  }
}

/**
 * The end of a console test: stop the console (it stops its bundled server),
 * then, as a safety net, kill any bundled server of this data folder that
 * outlived it, and remove the folder.
 */
export async function stopConsoleAndClean(web: ConsoleWeb | undefined, dataDir: string | undefined): Promise<void> {
  await web?.stop().catch((e: Error) => process.stderr.write(`${e.message}\n`));
  if (!dataDir) return;
  for (const pid of serveProcessesFor(bundledServerDir(dataDir))) {
    process.stderr.write(`!!! bundled server ${pid} outlived the console: killing it\n`);
    process.kill(pid, 'SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
}

/** What a console e2e on the bundled server starts from (see `startBundledConsole`). */
export interface BundledConsole {
  web: ConsoleWeb;
  dataDir: string;
  /** The first administrator's connection, for the bridge calls a test prepares data with. */
  connection: string;
  /** The bundled server's own address (its pages, its REST API). */
  serverUrl: string;
  /** A bridge call that must succeed: its value, or the test fails naming the call. */
  must<T = unknown>(method: string, params?: unknown): Promise<T>;
}

/**
 * The start of a console e2e on the bundled server: console-web in a fresh
 * data folder, its bundled server started, a Bundled server profile and its
 * first administrator signed up through the bridge (the wizard has its own
 * e2e), and the server's address.
 */
export async function startBundledConsole(admin: { username: string; password: string }): Promise<BundledConsole> {
  const dataDir = tempDir();
  const web = await startConsoleWeb(dataDir);
  const must = async <T = unknown>(method: string, params?: unknown): Promise<T> => {
    const r = await web.bridge<T>(method, params);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r)}`);
    return r.value;
  };
  await must('startBundledServer');
  const profile = await must<{ id: string }>('saveProfile', { name: 'Bundled server', kind: 'bundled' });
  const { connection } = await must<{ connection: string }>('signUpFirstAdmin', { profileId: profile.id, ...admin });
  const { url } = await must<{ url: string }>('bundledServerStatus');
  return { web, dataDir, connection, serverUrl: url, must };
}

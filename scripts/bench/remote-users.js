#!/usr/bin/env node
// `npm run bench` section `remote` (alone: `node scripts/bench/remote-users.js`):
// the Users manager of a remote Graphistry, worked through its Django admin
// site, with 10,000 users in the reference peer (test/fixtures/graphistry-peer,
// Debian's Django 3.2 under /usr/bin/python3, runserver on a free port).
//
//   page     one Users manager page: 50 rows, sorted by username, at several
//            places in the list (median of the runs)
//   search   a search that matches 10 users (median over several needles)
//   + load   the same page, then "Load for these rows" as the Users screen
//            does it (getUsers, 10 rows a call, one call after another): the
//            columns the admin does not list, read from each row's change form
//   floor    the admin site's own change-list page for the same rows, one GET
//            in the same session: what a browser costs for that page
//
// Each is timed in the console's process (RemoteGraphistryBackend) and
// counted in HTTP requests twice: by the backend, and from the peer's own
// request log. Run for the Graphistry-like admin (every column listed), the
// same in German in Europe/Berlin (dates read by the admin's own formats and
// placed by the zone's rules), and Django's stock UserAdmin (superuser and
// active read by one filtered list each; both dates not listed: named and
// null until loaded, see src-main/backend/remote/users-list.ts), at 50 and
// 200 rows. BENCH_REMOTE_USERS and BENCH_REMOTE_RUNS change the size and runs.
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';
import { intEnv, median, printTable, round } from './proc.js';

register();
const { djangoMissing, PEER_ADMIN, seedPeerUsers, startDjangoPeer } = await import('../../test/helpers/django-peer.ts');
const { createRemoteGraphistryBackend } = await import('../../src-main/backend/remote/remote-backend.ts');

const USERS = intEnv('BENCH_REMOTE_USERS', 10_000);
const RUNS = intEnv('BENCH_REMOTE_RUNS', 7);
const NEEDLES = ['u00424', 'u00777', 'u00123', 'u00999', 'u00031', 'u00555', 'u00808'];

const missing = await djangoMissing();
if (missing) {
  console.log(`remote: SKIPPED (${missing})`);
  console.log(`BENCH_JSON ${JSON.stringify({ skipped: missing })}`);
  process.exit(0);
}

const peers = new Set();
process.on('exit', () => {
  for (const p of peers) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** The peer's request count once its log has stopped moving (runserver writes a line just after each answer). */
async function settled(peer) {
  let n = peer.requests();
  for (;;) {
    await new Promise((r) => setTimeout(r, 40));
    if (peer.requests() === n) return n;
    n = peer.requests();
  }
}

/** Time `fn` RUNS times (after one warm-up), with its requests as the backend and the peer counted them. */
async function measure(peer, backend, label, fn) {
  await fn(0);
  const ms = [];
  const client = [];
  const server = [];
  for (let i = 0; i < RUNS; i++) {
    const [c0, s0] = [backend.requestCount(), await settled(peer)];
    const t0 = performance.now();
    const rows = await fn(i);
    if (!Array.isArray(rows.rows)) throw new Error(`${label}: no rows`);
    ms.push(performance.now() - t0);
    const problem = checkRows(rows.rows, rows.unlisted ?? []);
    if (problem) throw new Error(`${label}: ${problem}`);
    client.push(backend.requestCount() - c0);
    server.push((await settled(peer)) - s0);
  }
  return { label, medianMs: round(median(ms)), minMs: round(Math.min(...ms)), requests: Math.max(...client), peerRequests: Math.max(...server) };
}

/** Every field read, or named unlisted and null: never a field left out, or a default in an unlisted one. */
function checkRows(rows, unlisted) {
  const required = ['username', 'is_active', 'is_staff', 'is_superuser', 'date_joined'];
  for (const u of rows) {
    for (const f of ['username', 'email', 'is_active', 'is_staff', 'is_superuser', 'date_joined', 'last_login']) {
      if (u[f] === undefined) return `user ${u.id} lacks ${f}`;
      if (unlisted.includes(f) && u[f] !== null) return `user ${u.id} has a value for ${f}, which the page says it did not read`;
      if (!unlisted.includes(f) && u[f] === null && required.includes(f)) return `user ${u.id} has no ${f}`;
    }
  }
  return null;
}

/** The Users screen's "Load for these rows": getUsers a batch of 10 at a time, one call after another (FILL_BATCH in users-store.ts). */
async function loadWhole(backend, page) {
  const ids = page.results.map((u) => u.id);
  const rows = [];
  for (let at = 0; at < ids.length; at += 10) {
    const read = await backend.getUsers(ids.slice(at, at + 10));
    if (read.failed.length) throw new Error(`getUsers: ${JSON.stringify(read.failed)}`);
    rows.push(...read.users);
  }
  return { rows };
}

async function variant(name, options) {
  const peer = await startDjangoPeer(options);
  peers.add(peer);
  try {
    const seeded = await seedPeerUsers(peer, USERS);
    const backend = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({
      type: 'admin_password',
      username: PEER_ADMIN.username,
      password: async () => PEER_ADMIN.password,
    });
    await backend.me();
    await backend.capabilities();
    const pages = [1, 37, 120, 199, 64, 150, 5];
    const rowsOf = (p) => ({ rows: p.results, unlisted: p.unlisted });
    const page50 = (i) => backend.listUsers({ page: pages[(i + 3) % pages.length], page_size: 50, ordering: 'username' });
    const page200 = (i) => backend.listUsers({ page: 1 + ((i * 7) % 40), page_size: 200, ordering: 'username' });
    const results = [
      await measure(peer, backend, 'page, 50 rows', async (i) => rowsOf(await page50(i))),
      await measure(peer, backend, 'search, 10 matches', async (i) => {
        const r = await backend.listUsers({ search: NEEDLES[i % NEEDLES.length], page_size: 50, ordering: 'username' });
        if (r.count !== 10) throw new Error(`search ${NEEDLES[i % NEEDLES.length]} found ${r.count}`);
        return rowsOf(r);
      }),
      await measure(peer, backend, 'page, 200 rows', async (i) => rowsOf(await page200(i))),
    ];
    if ((await backend.listUsers({ page_size: 1 })).unlisted) {
      // Pages not read before, so each load reads change forms the session has not seen.
      results.push(await measure(peer, backend, 'page, 50 rows + load', async (i) => loadWhole(backend, await page50(i + 1))));
      results.push(await measure(peer, backend, 'page, 200 rows + load', async (i) => loadWhole(backend, await page200(i + 2))));
    }
    // The yardstick: the admin's own change-list page (what the browser loads), fetched with the same session cookie.
    const cookie = await sessionCookie(peer);
    const floor = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${peer.url}/admin/users/user/?o=1&p=${pages[i % pages.length]}`, { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`the admin's own page answered ${res.status}`);
      floor.push(performance.now() - t0);
    }
    return { name, seeded, results, floorMs: round(median(floor)) };
  } finally {
    await peer.stop();
    peers.delete(peer);
  }
}

/** A session of the admin site, signed in as a browser would, for the floor measurement. */
async function sessionCookie(peer) {
  const login = await fetch(`${peer.url}/admin/login/`);
  const csrf = /csrftoken=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')[1];
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(await login.text())[1];
  const res = await fetch(`${peer.url}/admin/login/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf}`, referer: `${peer.url}/admin/login/` },
    body: new URLSearchParams({ csrfmiddlewaretoken: token, username: PEER_ADMIN.username, password: PEER_ADMIN.password, next: '/admin/' }),
  });
  const session = /sessionid=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!session) throw new Error(`the admin site did not sign the bench in (${res.status})`);
  return `csrftoken=${csrf}; sessionid=${session}`;
}

const out = {};
out.graphistry = await variant('graphistry', { listDisplay: 'graphistry' });
out['graphistry, de, Berlin'] = await variant('graphistry, de, Berlin', { listDisplay: 'graphistry', language: 'de', timeZone: 'Europe/Berlin' });
out.django = await variant('django', { listDisplay: 'django' });

const rows = [['admin list', 'measure', 'median ms', 'min ms', 'requests (console)', 'requests (peer log)']];
for (const v of Object.values(out)) {
  for (const r of v.results) rows.push([v.name, r.label, r.medianMs, r.minMs, r.requests, r.peerRequests]);
  rows.push([v.name, "admin's own page (floor)", v.floorMs, '', 1, 1]);
}
console.log(
  `\nremote Users manager through the Django admin, ${USERS.toLocaleString('en-US')} users, ${RUNS} runs each (seeded in ${out.graphistry.seeded.ms} ms)`,
);
printTable(rows);
console.log(
  "graphistry: the admin lists every column (de, Berlin: its pages in German, in a zone with summer time); django: Django's stock UserAdmin (superuser and active read by a filter each; dates not listed until loaded)",
);
console.log(`BENCH_JSON ${JSON.stringify({ users: USERS, runs: RUNS, variants: out })}`);

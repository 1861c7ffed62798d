#!/usr/bin/env node
// `npm run bench` section `remote` (alone: `node scripts/bench/remote-users.js`):
// the Users manager of a remote Graphistry, worked through its Django admin
// site, with 10,000 users in the reference peer (test/fixtures/graphistry-peer,
// Debian's Django 3.2 under /usr/bin/python3, runserver on a free port).
//
//   page     one Users manager page: 50 rows, every column, sorted by
//            username, at several places in the list (median of the runs)
//   search   a search that matches 10 users (median over several needles)
//   floor    the admin site's own change-list page for the same rows, one GET
//            in the same session: what a browser costs for that page
//
// Each is timed in the console's process (RemoteGraphistryBackend) and
// counted in HTTP requests twice: by the backend, and from the peer's own
// request log. Run for the Graphistry-like admin (every column listed) and for
// Django's stock UserAdmin (superuser, active and both dates not listed: the
// console fills them, see src-main/backend/remote/users-list.ts), at 50 and
// 200 rows. BENCH_REMOTE_USERS and BENCH_REMOTE_RUNS change the size and runs.
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';
import { median, printTable, round } from './proc.js';

register();
const { djangoMissing, PEER_ADMIN, seedPeerUsers, startDjangoPeer } = await import('../../test/helpers/django-peer.ts');
const { createRemoteGraphistryBackend } = await import('../../src-main/backend/remote/remote-backend.ts');

const USERS = Number(process.env.BENCH_REMOTE_USERS) || 10_000;
const RUNS = Number(process.env.BENCH_REMOTE_RUNS) || 7;
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
    ms.push(performance.now() - t0);
    if (rows.some((u) => u.email === undefined || typeof u.is_superuser !== 'boolean' || !u.date_joined)) throw new Error(`${label}: a row lacks a column`);
    client.push(backend.requestCount() - c0);
    server.push((await settled(peer)) - s0);
  }
  return { label, medianMs: round(median(ms)), minMs: round(Math.min(...ms)), requests: Math.max(...client), peerRequests: Math.max(...server) };
}

async function variant(listDisplay) {
  const peer = await startDjangoPeer({ listDisplay });
  peers.add(peer);
  try {
    const seeded = await seedPeerUsers(peer, USERS);
    const backend = createRemoteGraphistryBackend({ baseUrl: peer.url }).withAuth({ type: 'admin_password', username: PEER_ADMIN.username, password: async () => PEER_ADMIN.password });
    await backend.me();
    await backend.capabilities();
    const pages = [1, 37, 120, 199, 64, 150, 5];
    const results = [
      await measure(peer, backend, 'page, 50 rows', async (i) => (await backend.listUsers({ page: pages[i % pages.length], page_size: 50, ordering: 'username' })).results),
      await measure(peer, backend, 'search, 10 matches', async (i) => {
        const r = await backend.listUsers({ search: NEEDLES[i % NEEDLES.length], page_size: 50, ordering: 'username' });
        if (r.count !== 10) throw new Error(`search ${NEEDLES[i % NEEDLES.length]} found ${r.count}`);
        return r.results;
      }),
      await measure(peer, backend, 'page, 200 rows', async (i) => (await backend.listUsers({ page: 1 + (i % 40), page_size: 200, ordering: 'username' })).results),
    ];
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
    return { listDisplay, seeded, results, floorMs: round(median(floor)) };
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
for (const listDisplay of ['graphistry', 'django']) out[listDisplay] = await variant(listDisplay);

const rows = [['admin list', 'measure', 'median ms', 'min ms', 'requests (console)', 'requests (peer log)']];
for (const v of Object.values(out)) {
  for (const r of v.results) rows.push([v.listDisplay, r.label, r.medianMs, r.minMs, r.requests, r.peerRequests]);
  rows.push([v.listDisplay, "admin's own page (floor)", v.floorMs, '', 1, 1]);
}
console.log(`\nremote Users manager through the Django admin, ${USERS.toLocaleString('en-US')} users, ${RUNS} runs each (seeded in ${out.graphistry.seeded.ms} ms)`);
printTable(rows);
console.log("graphistry: the admin lists every column; django: Django's stock UserAdmin (superuser, active, dates not listed)");
console.log(`BENCH_JSON ${JSON.stringify({ users: USERS, runs: RUNS, variants: out })}`);

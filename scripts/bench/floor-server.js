// The floors for `npm run bench`: a bare node:http server doing each endpoint's
// essential work and nothing else, on the account server's own database and
// secrets (same data dir), so the server's figures read as a multiple of the
// least any Node server could spend on the same answer.
//
// Usage: node scripts/bench/floor-server.js <data dir>
// Prints `Floor server listening on http://127.0.0.1:<port>`; stops on
// SIGTERM/SIGINT or when its stdin closes.
//
// Per route, the work the account server cannot avoid (prepared better-sqlite3
// statements, node:crypto, one JSON answer with the same security headers):
//   GET  /me          Bearer: verified-token cache hit (the server caches too),
//                     one user select, active + epoch check; a token minted from
//                     a key also selects the key (revocation bites at once)
//   POST /pkey        PersonalKey id:secret: HMAC-SHA256 with the pepper, key
//                     select, constant-time compare, user select, one audit row,
//                     an ES256 JWT signed with a new session id (`sid`)
//   POST /verify      JSON body {token}: cache hit, user select
//   POST /refresh     JSON body {token}: cache hit, user select, the session's
//                     organization switch (the token keeps it), a new ES256 JWT
//   GET  /admin/users Bearer (as /me, plus is_superuser), a count and a page of 25
//                     by username
import http from 'node:http';
import { createHash, createHmac, createPrivateKey, createPublicKey, randomBytes, sign, timingSafeEqual, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: floor-server.js <data dir>');
const env = Object.fromEntries(
  readFileSync(join(dataDir, '.env'), 'utf8')
    .split('\n')
    .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => [m[1], m[2]]),
);
const privateKey = createPrivateKey({ key: Buffer.from(env.GRAPHISTRY_ADMIN_JWT_PRIVATE_KEY, 'base64'), format: 'der', type: 'pkcs8' });
const publicKey = createPublicKey(privateKey);
const pepper = Buffer.from(env.GRAPHISTRY_ADMIN_KEY_PEPPER, 'base64');
// The same header as the server's (its kid is the RFC 7638 thumbprint), so tokens are the same size.
const jwk = publicKey.export({ format: 'jwk' });
const kid = createHash('sha256')
  .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
  .digest('base64url');
const header64 = Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'JWT' })).toString('base64url');

const db = new SQLite(join(dataDir, 'graphistry-admin.sqlite3'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 10000');
const userById = db.prepare('select * from users where id = ?');
const keyById = db.prepare('select * from personal_keys where id = ?');
const insertAudit = db.prepare(
  'insert into audit_log (at, actor_id, actor, action, target_type, target_id, target, client_ip, outcome, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
// A database older than organizations (a --compare baseline's) has no session switches to read.
const hasOrgSessions = Boolean(db.prepare("select 1 from sqlite_master where type = 'table' and name = 'org_sessions'").get());
const sessionSwitch = hasOrgSessions
  ? db.prepare(
      'select s.organization_id, o.slug, m.role from org_sessions s left join organizations o on o.id = s.organization_id ' +
        'left join organization_members m on m.organization_id = s.organization_id and m.user_id = s.user_id where s.sid = ? and s.user_id = ? and s.expires_at > ?',
    )
  : { get: () => undefined };
const countUsers = db.prepare('select count(*) as n from users');
const pageUsers = db.prepare('select * from users order by username_lower, id limit ? offset ?');

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};
const send = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
const b = (v) => v === 1 || v === true;
const toUser = (r) => ({
  id: r.id,
  username: r.username,
  email: r.email,
  is_active: b(r.is_active),
  is_staff: b(r.is_staff),
  is_superuser: b(r.is_superuser),
  date_joined: r.date_joined,
  last_login: r.last_login,
});

const verified = new Map();
function claimsOf(token) {
  let claims = verified.get(token);
  if (!claims) {
    const [h, p, s] = token.split('.');
    if (!s || !verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return null;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    verified.set(token, claims);
  }
  return Date.now() / 1000 < claims.exp ? claims : null;
}
function keyUsable(row) {
  return row && !row.revoked_at && !(row.expires_at && Date.parse(row.expires_at) <= Date.now());
}
function principal(claims) {
  const user = claims && userById.get(claims.user_id);
  if (!user || !b(user.is_active) || user.auth_epoch !== claims.ver) return null;
  if (claims.pk && !keyUsable(keyById.get(claims.pk))) return null;
  return user;
}
function bearer(req) {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m ? principal(claimsOf(m[1])) : null;
}
function signToken(user, extra) {
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    user_id: user.id,
    username: user.username,
    ...(user.email ? { email: user.email } : {}),
    iat,
    exp: iat + 3600,
    orig_iat: iat,
    ver: user.auth_epoch,
    ...extra,
  };
  const input = `${header64}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
function readJson(req, then) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => then(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
}
const denied = (res) => send(res, 401, { error: 'UNAUTHENTICATED', message: 'Invalid token.' });

const routes = {
  'GET /me'(req, res) {
    const user = bearer(req);
    if (!user) return denied(res);
    const claims = verified.get(/^Bearer\s+(\S+)/i.exec(req.headers.authorization)[1]);
    send(res, 200, { ...toUser(user), auth: { via: 'jwt', key_id: claims.pk ?? null } });
  },
  'POST /pkey'(req, res) {
    const m = /^PersonalKey\s+([^:\s]+):(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    readJson(req, () => {
      if (!m) return denied(res);
      const key = keyById.get(m[1]);
      const digest = createHmac('sha256', pepper).update(`${m[1]}:${m[2]}`).digest('hex');
      const ok = key && timingSafeEqual(Buffer.from(key.secret_hash), Buffer.from(digest)) && keyUsable(key);
      const user = ok && userById.get(key.user_id);
      if (!user || !b(user.is_active)) return denied(res);
      insertAudit.run(
        new Date().toISOString(),
        user.id,
        user.username,
        'auth.pkey',
        'user',
        String(user.id),
        user.username,
        req.socket.remoteAddress,
        'success',
        JSON.stringify({ key_id: key.id }),
      );
      const sid = randomBytes(12).toString('base64url');
      send(res, 200, { token: signToken(user, { pk: key.id, sid }), active_organization: { slug: user.username, is_found: true, is_member: true } });
    });
  },
  'POST /verify'(req, res) {
    readJson(req, ({ token }) => (principal(claimsOf(token)) ? send(res, 200, { token }) : denied(res)));
  },
  'POST /refresh'(req, res) {
    readJson(req, ({ token }) => {
      const claims = claimsOf(token);
      const user = principal(claims);
      if (!user || Date.now() / 1000 >= claims.orig_iat + 86400) return denied(res);
      const switched = claims.sid ? sessionSwitch.get(claims.sid, user.id, new Date().toISOString()) : undefined;
      const org = switched ? (switched.role ? switched.slug : null) : null;
      send(res, 200, {
        token: signToken(user, { orig_iat: claims.orig_iat, ...(claims.pk ? { pk: claims.pk } : {}), sid: claims.sid, ...(org ? { org } : {}) }),
        active_organization: { slug: org ?? user.username, is_found: true, is_member: true },
      });
    });
  },
  'GET /admin/users'(req, res) {
    const user = bearer(req);
    if (!user || !b(user.is_superuser)) return denied(res);
    const { n } = countUsers.get();
    send(res, 200, { count: n, page: 1, page_size: 25, results: pageUsers.all(25, 0).map(toUser) });
  },
};

const server = http.createServer((req, res) => {
  const route = routes[`${req.method} ${req.url}`];
  if (route) route(req, res);
  else send(res, 404, { error: 'NOT_FOUND' });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`Floor server listening on http://127.0.0.1:${server.address().port}\n`));
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).on('error', stop).resume();

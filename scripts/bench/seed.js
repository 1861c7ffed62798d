// Bulk user seeding for the bench: one INSERT ... SELECT per database, no HTTP,
// no per-row round trip, on a database the server has already migrated. As a
// DBA bulk-loads: the users table's secondary indexes and triggers (whatever
// the migrations made, read back from the catalog) are dropped for the load
// and made again after it, which builds each index in one pass.
//
// Names look like real ones (100 first names x 100 surnames + a number), so
// substring searches have the selectivity they would have on a real
// directory: "smith" matches about 1% of the users, "h.smith12" a handful.
// About 5% of users are staff, 0.1% superusers, 2% inactive, a third never
// signed in. Passwords are an unusable hash: seeded users
// cannot sign in.
import SQLite from 'better-sqlite3';
import pg from 'pg';

const FIRST =
  'james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan joseph jessica thomas sarah charles karen christopher nancy daniel lisa matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth dorothy kevin carol brian amanda george melissa edward deborah ronald stephanie timothy rebecca jason sharon jeffrey laura ryan cynthia jacob kathleen gary amy nicholas shirley eric angela jonathan helen stephen anna larry brenda justin pamela scott nicole brandon emma benjamin samantha samuel katherine frank christine gregory debra raymond rachel alexander catherine patrick carolyn jack janet dennis ruth jerry maria'.split(
    ' ',
  );
const LAST =
  'smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez'.split(
    ' ',
  );
const UNUSABLE_HASH = '!seeded-user-no-password';

/** The SQL expressions of one seeded row, given `x` (1..n), `f` and `l` (the names). */
const columns = (name, ts, big = (x) => x) => ({
  username: name,
  username_lower: name,
  email: `${name} || '@example.org'`,
  email_lower: `${name} || '@example.org'`,
  password_hash: `'${UNUSABLE_HASH}'`,
  // Moduli coprime with the 100 first names, so no flag goes with particular names.
  is_active: '(x % 53) <> 0',
  is_staff: '(x % 97) < 5',
  is_superuser: '(x % 997) = 0',
  auth_epoch: '0',
  // Joined a minute apart from 2020-09-13; last sign-ins spread over a year.
  date_joined: ts('1600000000 + x * 60'),
  last_login: `case when x % 3 = 0 then null else ${ts(`1700000000 + ((${big('x')} * 7919) % 1000000) * 30`)} end`,
});

/** Seed `n` users into the migrated SQLite database `file`. Returns ms spent. */
export function seedSqlite(file, n, { prefix = '' } = {}) {
  const t0 = performance.now();
  const db = new SQLite(file, { timeout: 60_000 });
  try {
    db.pragma('busy_timeout = 60000');
    db.exec('create temp table seed_first(i integer primary key, n text); create temp table seed_last(i integer primary key, n text);');
    const f = db.prepare('insert into seed_first values (?, ?)');
    const l = db.prepare('insert into seed_last values (?, ?)');
    db.transaction(() => {
      FIRST.forEach((v, i) => f.run(i, v));
      LAST.forEach((v, i) => l.run(i, v));
    })();
    const cols = columns(`'${prefix}' || f || '.' || l || x`, (e) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${e}, 'unixepoch')`);
    const isBool = { is_active: 1, is_staff: 1, is_superuser: 1 };
    const exprs = Object.entries(cols).map(([k, v]) => (isBool[k] ? `(${v})` : v));
    // Secondary indexes and triggers of users (not the ones behind UNIQUE constraints, which have no sql).
    const saved = db.prepare("select type, name, sql from sqlite_master where tbl_name = 'users' and type in ('index', 'trigger') and sql is not null").all();
    const search = db.prepare("select name from sqlite_master where name = 'users_search'").get();
    db.transaction(() => {
      for (const o of saved) db.exec(`drop ${o.type} ${o.name}`);
      db.exec(`insert into users (${Object.keys(cols).join(', ')})
        with recursive c(x) as (select 1 union all select x + 1 from c where x < ${Number(n)}),
        g as (select x, (select n from seed_first where i = x % ${FIRST.length}) as f, (select n from seed_last where i = (x / ${FIRST.length}) % ${LAST.length}) as l from c)
        select ${exprs.join(', ')} from g`);
      for (const o of saved) db.exec(o.sql);
      if (search) db.exec("insert into users_search (users_search) values ('rebuild')");
    })();
    db.exec('analyze');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return performance.now() - t0;
}

/** Seed `n` users into the migrated PostgreSQL schema `schema` at `url`. Returns ms spent. */
export async function seedPostgres(url, schema, n, { prefix = '' } = {}) {
  const t0 = performance.now();
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const arr = (xs) => `array[${xs.map((x) => `'${x}'`).join(',')}]`;
    const cols = columns(
      `'${prefix}' || f || '.' || l || x`,
      (e) => `to_char(to_timestamp(${e}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
      (x) => `${x}::bigint`,
    );
    // Secondary indexes only: those behind primary-key and unique constraints stay.
    const { rows: saved } = await client.query(
      `select i.indexname, i.indexdef from pg_indexes i where i.schemaname = $1 and i.tablename = 'users'
         and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
      [schema],
    );
    await client.query('begin');
    for (const ix of saved) await client.query(`drop index ${ix.indexname}`);
    await client.query(`insert into users (${Object.keys(cols).join(', ')})
      select ${Object.values(cols).join(', ')}
      from (select x, (${arr(FIRST)})[1 + x % ${FIRST.length}] as f, (${arr(LAST)})[1 + (x / ${FIRST.length}) % ${LAST.length}] as l
            from generate_series(1, ${Number(n)}) as x) g`);
    await client.query("set local maintenance_work_mem = '256MB'");
    for (const ix of saved) await client.query(ix.indexdef);
    await client.query('commit');
    // Statistics for the planner, and the visibility map that lets index-only scans skip the table.
    await client.query('vacuum analyze users');
  } finally {
    await client.end();
  }
  return performance.now() - t0;
}

/**
 * An organization in the migrated SQLite database `file` with `usernames` as
 * its members (admins), for the sign-ins that name it (`org_name`). Returns
 * false, seeding nothing, for a server older than organizations (a
 * `--compare` baseline).
 */
export function seedOrgSqlite(file, slug, usernames) {
  const db = new SQLite(file, { timeout: 60_000 });
  try {
    db.pragma('busy_timeout = 60000');
    if (!db.prepare("select 1 from sqlite_master where type = 'table' and name = 'organizations'").get()) return false;
    const at = new Date().toISOString();
    db.transaction(() => {
      const { id } = db
        .prepare("insert into organizations (slug, name, join_policy, created_at, created_by) values (?, ?, 'invite_only', ?, 'bench') returning id")
        .get(slug, slug, at);
      const add = db.prepare(
        "insert into organization_members (organization_id, user_id, role, joined_at) select ?, id, 'admin', ? from users where username_lower = ?",
      );
      for (const u of usernames) if (add.run(id, at, u.toLowerCase()).changes !== 1) throw new Error(`seed: no user ${u}`);
    })();
    return true;
  } finally {
    db.close();
  }
}

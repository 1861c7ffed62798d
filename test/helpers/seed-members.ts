import { sql } from 'kysely';
import type { TestApp } from './app.ts';

/** How seeded members differ: SQL expressions in `x` (1..count), the same text on SQLite and PostgreSQL. */
export interface MemberSeed {
  /** The email (NULL allowed); default `m<x>@example.org`. */
  email?: string;
  /** Seconds after 2020-09-13 the member joined; default a minute apart. */
  joinedAfter?: string;
  /** Whether the member is a superuser; default none. */
  superuser?: string;
}

/**
 * `count` users member1..member<count> in one statement (no API, no hashing):
 * every 7th staff, every 11th inactive, every 3rd never signed in, sign-in
 * times scattered over 12,000 minutes. PostgreSQL's statistics are refreshed
 * after, as its planner needs them for the list's estimates.
 */
export async function seedMembers(t: TestApp, count: number, o: MemberSeed = {}): Promise<void> {
  const email = o.email ?? `'m' || x || '@example.org'`;
  const superuser = o.superuser ?? 'x < 0';
  const joinedAfter = o.joinedAfter ?? 'x * 60';
  const cols = 'username, username_lower, email, email_lower, password_hash, is_active, is_staff, is_superuser, auth_epoch, date_joined, last_login';
  const values = (ts: (seconds: string) => string) =>
    `'member' || x, 'member' || x, ${email}, ${email}, '!', (x % 11) <> 0, (x % 7) = 0, ${superuser}, 0,
     ${ts(`1600000000 + ${joinedAfter}`)}, case when x % 3 = 0 then null else ${ts('1700000000 + ((x * 7919) % 12000) * 60')} end`;
  if (t.db.dialect === 'sqlite') {
    const ts = (s: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${s}, 'unixepoch')`;
    await sql
      .raw(`insert into users (${cols}) with recursive c(x) as (select 1 union all select x + 1 from c where x < ${count}) select ${values(ts)} from c`)
      .execute(t.db.write);
  } else {
    const ts = (s: string) => `to_char(to_timestamp(${s}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    // x as bigint: x * 7919 passes 2^31 at a few hundred thousand members.
    await sql.raw(`insert into users (${cols}) select ${values(ts)} from generate_series(1::bigint, ${count}) as x`).execute(t.db.write);
    await sql`analyze users`.execute(t.db.write);
  }
}

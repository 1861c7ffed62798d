import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../../src-shared/domain.ts';
import { auditSentence } from './audit-sentence.ts';

const entry = (e: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: '2025-01-02T03:04:05Z',
  actor_id: 1,
  actor: 'admin',
  action: 'x',
  target_type: null,
  target_id: null,
  target: null,
  client_ip: '127.0.0.1',
  outcome: 'success',
  detail: null,
  ...e,
});

describe('audit sentences', () => {
  it('role changes read as what was done to whom', () => {
    expect(auditSentence(entry({ action: 'user.roles', target: 'alice', detail: { is_staff: true, from: { is_staff: false } } }))).toBe(
      'admin made alice staff',
    );
    expect(auditSentence(entry({ action: 'user.roles', target: 'bob', detail: { is_superuser: false, is_active: false } }))).toBe(
      'admin removed superuser from bob and deactivated bob',
    );
    expect(auditSentence(entry({ action: 'user.update', target: 'alicia', detail: { username: 'alicia', from: { username: 'alice' } } }))).toBe(
      'admin renamed alice to alicia',
    );
  });
  it('settings say what changed, with the key and both values', () => {
    expect(auditSentence(entry({ action: 'settings.change', target: 'IS_SIGNUPS_OPEN_AFTER_FIRST', detail: { from: false, to: true } }))).toBe(
      'admin opened registration (IS_SIGNUPS_OPEN_AFTER_FIRST off → on)',
    );
    expect(auditSentence(entry({ action: 'settings.change', target: 'PUBLIC_URL', detail: { from: '', to: 'https://g.example.com' } }))).toBe(
      'admin set the public URL to https://g.example.com',
    );
  });
  it('single sign-on: IdPs added, changed (never naming the secret, only that it changed) and removed; sign-ins name the IdP', () => {
    expect(auditSentence(entry({ action: 'sso.provider.create', target: 'acme/corp', detail: { template: 'keycloak', enabled: true } }))).toBe(
      'admin added single sign-on IdP acme/corp (keycloak)',
    );
    expect(
      auditSentence(entry({ action: 'sso.provider.update', target: 'corp', detail: { changed: ['enabled'], enabled: false, client_secret_changed: true } })),
    ).toBe('admin changed single sign-on IdP corp: disabled it and replaced its client secret');
    expect(auditSentence(entry({ action: 'sso.provider.delete', target: 'corp' }))).toBe('admin removed single sign-on IdP corp');
    expect(auditSentence(entry({ action: 'auth.login', actor: 'ana', target: 'ana', detail: { method: 'sso', idp: 'corp' } }))).toBe(
      'ana signed in through corp',
    );
    expect(
      auditSentence(
        entry({
          action: 'auth.login',
          actor: 'sso:corp',
          outcome: 'failure',
          target: 'corp',
          detail: { method: 'sso', idp: 'corp', reason: 'signups_closed' },
        }),
      ),
    ).toBe('Single sign-on through corp refused (registration is closed)');
    expect(auditSentence(entry({ action: 'user.create', actor: 'ana', target: 'ana', detail: { method: 'sso', idp: 'corp' } }))).toBe(
      'ana’s account was made at their first sign-in through corp',
    );
  });
  it('refusals say why, in words', () => {
    expect(auditSentence(entry({ action: 'auth.login', outcome: 'failure', actor: 'mallory', target: 'mallory', detail: { reason: 'not_superuser' } }))).toBe(
      'Sign-in refused for mallory (not a superuser, which the console needs)',
    );
    expect(auditSentence(entry({ action: 'auth.login', outcome: 'failure', actor: 'x', target: 'x', detail: { reason: 'bad_password' } }))).toBe(
      'Sign-in refused for x (wrong password)',
    );
  });
  it('a deletion says what was deleted', () => {
    expect(auditSentence(entry({ action: 'user.delete', target: 'doomed', detail: { is_staff: true, is_superuser: false, keys_deleted: 2 } }))).toBe(
      'admin deleted doomed (staff, 2 API keys deleted with it)',
    );
  });
  it('an invitation quotes its note as a note', () => {
    expect(auditSentence(entry({ action: 'invitation.create', detail: { note: 'for Ana', grant_staff: true } }))).toBe(
      'admin created an invitation with staff access (note: “for Ana”)',
    );
  });
  it('an action it does not know still reads', () => {
    expect(auditSentence(entry({ action: 'widget.frobnicate', target: 'acme' }))).toBe('admin widget.frobnicate acme');
  });

  it('organizations: created, members added, made admin, removed, deleted', () => {
    const org = (action: string, detail: Record<string, unknown>) => auditSentence(entry({ action, target_type: 'organization', target: 'acme', detail }));
    expect(org('org.create', { name: 'Acme Corp' })).toBe('admin created organization acme (“Acme Corp”)');
    expect(org('org.member.add', { username: 'ana', role: 'member', via: 'create_user' })).toBe('admin created ana in acme as a member');
    expect(org('org.member.add', { username: 'ben', role: 'admin', via: 'direct' })).toBe('admin added ben to acme as an admin');
    expect(org('org.member.role', { username: 'ben', role: 'admin', from: 'member' })).toBe('admin made ben an admin of acme');
    expect(org('org.member.remove', { username: 'ana', role: 'member' })).toBe('admin removed ana from acme');
    expect(org('org.delete', { name: 'Acme', members: 2 })).toBe('admin deleted organization acme (2 members)');
  });
  it('backups, restores and moves say where the copy went or came from, and how many rows', () => {
    const cli = 'cli:root@host';
    expect(auditSentence(entry({ action: 'database.backup', actor: cli, detail: { file: '/b/site.jsonl.gz', tables: 17, rows: 131799 } }))).toBe(
      'cli:root@host backed up the database to /b/site.jsonl.gz, 131,799 rows',
    );
    expect(auditSentence(entry({ action: 'database.restore', actor: cli, detail: { from: '/b/site.jsonl.gz', rows: 1 } }))).toBe(
      'cli:root@host restored the database from a backup (/b/site.jsonl.gz), 1 row',
    );
    expect(auditSentence(entry({ action: 'database.move', actor: cli, detail: { from: '/data/graphistry-admin.sqlite3', rows: 40 } }))).toBe(
      'cli:root@host moved the database here from /data/graphistry-admin.sqlite3, 40 rows',
    );
  });
});

import type { AuditEntry } from '../../../../src-shared/domain.ts';

/**
 * Each audit entry as the sentence an admin would say ("admin made alice
 * staff", "admin opened registration (IS_SIGNUPS_OPEN_AFTER_FIRST off → on)").
 * The raw facts stay one click away (audit-details); an action this console
 * does not know yet still reads as "actor did action to target".
 */
type Detail = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const onOff = (v: unknown) => (v === true ? 'on' : v === false ? 'off' : JSON.stringify(v));

const REFUSALS: Record<string, string> = {
  unknown_user: 'no such account',
  bad_password: 'wrong password',
  inactive: 'the account is inactive',
  throttled: 'too many attempts',
  not_superuser: 'not a superuser, which the console needs',
  signups_closed: 'registration is closed',
};
const refusal = (d: Detail) => {
  const r = str(d.reason);
  return r ? ` (${REFUSALS[r] ?? r.replace(/_/g, ' ').toLowerCase()})` : '';
};

const rowCount = (d: Detail) => (typeof d.rows === 'number' ? `, ${d.rows.toLocaleString('en-US')} ${d.rows === 1 ? 'row' : 'rows'}` : '');

/** What a change of role or field did, as a verb phrase about `who`. */
function roleChanges(d: Detail, who: string): string[] {
  const from = (d.from && typeof d.from === 'object' ? d.from : {}) as Detail;
  const out: string[] = [];
  if ('username' in d) out.push(str(from.username) ? `renamed ${String(from.username)} to ${who}` : `renamed ${who}`);
  if ('email' in d) out.push(str(d.email) ? `set ${who}’s email to ${String(d.email)}` : `removed ${who}’s email`);
  if (d.is_staff === true) out.push(`made ${who} staff`);
  if (d.is_staff === false) out.push(`removed staff from ${who}`);
  if (d.is_superuser === true) out.push(`made ${who} a superuser`);
  if (d.is_superuser === false) out.push(`removed superuser from ${who}`);
  if (d.is_active === true) out.push(`activated ${who}`);
  if (d.is_active === false) out.push(`deactivated ${who}`);
  return out;
}

function joinPhrases(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function settingSentence(actor: string, key: string, d: Detail): string {
  const change = `(${key} ${onOff(d.from)} → ${onOff(d.to)})`;
  if (key === 'IS_SIGNUPS_OPEN_AFTER_FIRST') return `${actor} ${d.to ? 'opened' : 'closed'} registration ${change}`;
  if (key === 'IS_SIGNUP_STAFF_BY_DEFAULT') return `${actor} ${d.to ? 'made new sign-ups staff' : 'stopped making new sign-ups staff'} ${change}`;
  if (key === 'PUBLIC_URL')
    return str(d.to)
      ? `${actor} set the public URL to ${String(d.to)}${str(d.from) ? ` (was ${String(d.from)})` : ''}`
      : `${actor} cleared the public URL${str(d.from) ? ` (was ${String(d.from)})` : ''}`;
  return `${actor} changed ${key} ${change}`;
}

const ROLE_WORD: Record<string, string> = { admin: 'an admin', member: 'a member' };
const roleWord = (v: unknown) => ROLE_WORD[String(v)] ?? String(v);

/** An organization's changes; `org` is its id (the entry's target). */
function orgSentence(action: string, actor: string, org: string, d: Detail): string {
  const member = str(d.username) ?? (typeof d.user_id === 'number' ? `user ${d.user_id}` : 'someone');
  switch (action) {
    case 'org.create':
      return `${actor} created organization ${org}${str(d.name) && d.name !== org ? ` (“${String(d.name)}”)` : ''}`;
    case 'org.update':
      return `${actor} changed organization ${org}`;
    case 'org.delete':
      return `${actor} deleted organization ${org}${typeof d.members === 'number' ? ` (${d.members} ${d.members === 1 ? 'member' : 'members'})` : ''}`;
    case 'org.member.add':
      if (d.via === 'sso') return `${member} joined ${org} as ${roleWord(d.role)} at a sign-in through ${String(d.idp)}`;
      return d.via === 'create_user'
        ? `${actor} created ${member} in ${org} as ${roleWord(d.role)}`
        : `${actor} added ${member} to ${org} as ${roleWord(d.role)}${d.via === 'invitation' ? ' (invitation)' : ''}`;
    case 'org.member.role':
      return `${actor} made ${member} ${roleWord(d.role)} of ${org}`;
    case 'org.member.remove':
      return `${actor} removed ${member} from ${org}`;
    case 'org.leave':
      return `${actor} left ${org}`;
    default:
      return `${actor} switched to organization ${org}`;
  }
}

export function auditSentence(e: AuditEntry): string {
  const d: Detail = e.detail ?? {};
  const actor = e.actor;
  const who = e.target ?? (e.target_id ? `${e.target_type ?? 'item'} ${e.target_id}` : 'someone');
  const failed = e.outcome !== 'success';
  switch (e.action) {
    case 'auth.login':
      if (d.method === 'sso')
        return failed ? `Single sign-on through ${str(d.idp) ?? who} refused${refusal(d)}` : `${actor} signed in through ${String(d.idp)}`;
      return failed ? `Sign-in refused for ${who}${refusal(d)}` : `${actor} signed in${d.method === 'password' ? ' with a password' : ''}`;
    case 'auth.pkey':
      return failed ? `A personal key was refused${str(d.key_id) ? ` (key ${String(d.key_id)})` : ''}` : `${actor} exchanged a personal key for a token`;
    case 'user.signup':
      if (failed) return `Sign-up refused for ${who}${refusal(d)}`;
      if (d.first) return `${who} signed up and became the first administrator (superuser and staff)`;
      if (d.via === 'invitation') return `${who} made an account from an invitation${d.is_staff ? ' (staff)' : ''}`;
      return `${who} signed up${d.is_staff ? ' (staff)' : ''}`;
    case 'user.create': {
      if (d.method === 'sso') return `${who}’s account was made at their first sign-in through ${String(d.idp)}`;
      const roles = [d.is_superuser ? 'superuser' : '', d.is_staff ? 'staff' : '', d.is_active === false ? 'inactive' : ''].filter(Boolean);
      return `${actor} created ${who}${roles.length ? ` (${roles.join(', ')})` : ''}`;
    }
    case 'user.update':
    case 'user.roles': {
      const parts = roleChanges(d, who);
      return parts.length ? `${actor} ${joinPhrases(parts)}` : `${actor} changed ${who}`;
    }
    case 'user.password':
      return d.self ? `${actor} changed their own password` : `${actor} set ${who}’s password`;
    case 'user.sign_out': {
      const keys =
        typeof d.keys_revoked === 'number' && d.keys_revoked > 0 ? ` and revoked ${d.keys_revoked} API ${d.keys_revoked === 1 ? 'key' : 'keys'}` : '';
      return `${actor} signed ${who} out everywhere${keys}`;
    }
    case 'user.require_password_change':
      return `${actor} required ${who} to choose a new password`;
    case 'user.keys_revoke_all':
      return `${actor} revoked all of ${who}’s API keys${typeof d.keys_revoked === 'number' ? ` (${d.keys_revoked})` : ''}`;
    case 'user.delete': {
      const what = [
        d.is_superuser ? 'superuser' : '',
        d.is_staff ? 'staff' : '',
        typeof d.keys_deleted === 'number' ? `${d.keys_deleted} API ${d.keys_deleted === 1 ? 'key' : 'keys'} deleted with it` : '',
      ].filter(Boolean);
      return `${actor} deleted ${who}${what.length ? ` (${what.join(', ')})` : ''}`;
    }
    case 'key.create':
      return `${actor} created API key ${str(d.name) ? `“${String(d.name)}” ` : ''}for ${who === actor ? 'themselves' : who}`;
    case 'key.revoke':
      return `${actor} revoked an API key of ${who === actor ? 'their own' : who}`;
    case 'settings.change':
      return settingSentence(actor, e.target ?? e.target_id ?? 'a setting', d);
    case 'invitation.create':
      return `${actor} created an invitation${d.grant_staff ? ' with staff access' : ''}${str(d.note) ? ` (note: “${String(d.note)}”)` : ''}`;
    case 'invitation.revoke':
      return `${actor} revoked an invitation`;
    case 'invitation.accept':
      return failed ? `An invitation was refused${refusal(d)}` : `${str(d.username) ?? actor} accepted an invitation`;
    case 'registration.closed':
      return 'Registration closed: the first administrator was created';
    case 'org.create':
    case 'org.update':
    case 'org.delete':
    case 'org.member.add':
    case 'org.member.role':
    case 'org.member.remove':
    case 'org.leave':
    case 'org.switch':
      return orgSentence(e.action, actor, who, d);
    case 'sso.provider.create':
      return `${actor} added single sign-on IdP ${who}${str(d.template) ? ` (${String(d.template)})` : ''}${d.enabled === false ? ', disabled' : ''}`;
    case 'sso.provider.update': {
      const what = [
        d.enabled === true ? 'enabled it' : d.enabled === false ? 'disabled it' : '',
        d.client_secret_changed ? 'replaced its client secret' : '',
        str(d.issuer) ? `pointed it at ${String(d.issuer)}` : '',
        d.link_verified_email === true ? 'turned on linking by verified email' : d.link_verified_email === false ? 'turned off linking by verified email' : '',
      ].filter(Boolean);
      return `${actor} changed single sign-on IdP ${who}${what.length ? `: ${joinPhrases(what)}` : ''}`;
    }
    case 'sso.provider.delete':
      return `${actor} removed single sign-on IdP ${who}`;
    case 'database.backup':
      return `${actor} backed up the database${str(d.file) ? ` to ${String(d.file)}` : ''}${rowCount(d)}`;
    case 'database.restore':
      return `${actor} restored the database from a backup${str(d.from) ? ` (${String(d.from)})` : ''}${rowCount(d)}`;
    case 'database.move':
      return `${actor} moved the database here from ${str(d.from) ?? 'another database'}${rowCount(d)}`;
    default:
      return `${actor} ${e.action}${e.target ? ` ${e.target}` : ''}${failed ? ' (failed)' : ''}`;
  }
}

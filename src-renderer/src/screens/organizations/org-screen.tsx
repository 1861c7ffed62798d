import { useEffect, useId, useState } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { JoinPolicy, OrgMember, OrgRole, Organization } from '../../../../src-shared/domain.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorBanner, Field, Spinner, when } from '../../components/ui.tsx';
import { NotOffered, useNotOffered } from '../../components/not-offered.tsx';
import { call } from '../../lib/api.ts';
import { useConnection } from '../../lib/use-connection.ts';
import { useTitle } from '../../lib/title.ts';
import { useReloads } from '../../lib/use-reloads.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { FreshKeyNotice } from '../user-editor/fresh-key-notice.tsx';
import { CreateOrgUserForm } from './create-org-user-form.tsx';
import { AddMemberForm } from './add-member-form.tsx';
import { OrgInviteCard } from './org-invite-card.tsx';
import { SsoProvidersCard } from '../sso/sso-providers-card.tsx';
import { OrgMembersTable } from './org-members-table.tsx';
import { memberCount, POLICY_HINT, POLICY_LABEL, roleRefusal } from './org-logic.ts';
import { useOrganization, useOrgInvitations, useOrgMembers } from './use-organizations.ts';

/** One organization's page: its settings, its members and their roles, invitation links, a new user made in it, and deleting it. */
export function OrgScreen({ org }: { org: string }) {
  const notOffered = useNotOffered('organizations');
  if (notOffered) return <NotOffered title="Organizations are not shown here" sentence={notOffered} />;
  return <OrgPage org={org} />;
}

function OrgPage({ org }: { org: string }) {
  const navigate = useApp((s) => s.navigate);
  const readOnly = useNotOffered('org_writes');
  const ssoAbsent = useNotOffered('sso');
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const detail = useOrganization(org);
  const members = useOrgMembers(org, detail.value !== null);
  const invitations = useOrgInvitations(org, detail.value !== null && !readOnly);
  const [busy, setBusy] = useState<number | null>(null);
  const [refused, setRefused] = useState<{ userId: number; message: string } | null>(null);
  const [actionError, setActionError] = useState<ConsoleError | null>(null);
  const [removing, setRemoving] = useState<OrgMember | null>(null);
  const [deleting, setDeleting] = useState(false);
  const o = detail.value;
  useTitle(o ? `${o.name} · Organizations` : 'Organization');
  const reloadAll = () => {
    void detail.reload();
    void members.reload();
    if (!readOnly) void invitations.reload();
  };
  useReloads(reloadAll);

  async function changeRole(m: OrgMember, role: OrgRole) {
    setBusy(m.user_id);
    setRefused(null);
    setActionError(null);
    const r = await call('setOrgMemberRole', { connection, org, user_id: m.user_id, role });
    setBusy(null);
    if (!r.ok) {
      const why = roleRefusal(r.error);
      return why ? setRefused({ userId: m.user_id, message: why }) : setActionError(r.error);
    }
    toast('ok', `${m.username} is now ${role === 'admin' ? 'an admin' : 'a member'}`);
    reloadAll();
  }

  async function remove(m: OrgMember) {
    setBusy(m.user_id);
    setActionError(null);
    const r = await call('removeOrgMember', { connection, org, user_id: m.user_id });
    setBusy(null);
    setRemoving(null);
    if (!r.ok) {
      const why = roleRefusal(r.error);
      return why ? setRefused({ userId: m.user_id, message: why }) : setActionError(r.error);
    }
    toast('ok', `Removed ${m.username}`);
    reloadAll();
  }

  const back = (
    <button type="button" className="secondary small" onClick={() => navigate({ name: 'organizations' })}>
      Back to organizations
    </button>
  );
  if (detail.error && !o) {
    return (
      <section className="org-screen">
        <h1>Organization</h1>
        <ErrorBanner error={detail.error} onRetry={() => void detail.reload()} />
        {back}
      </section>
    );
  }
  if (!o) {
    return (
      <section className="org-screen" aria-busy="true">
        <Spinner label="Loading the organization" /> <span className="muted">Loading…</span>
      </section>
    );
  }
  const list = members.value?.results ?? [];
  return (
    <section className="org-screen">
      <div className="page-head">
        <div>
          <h1>{o.name}</h1>
          <p className="muted small">
            {o.slug ? (
              <>
                Id <code>{o.slug}</code>
              </>
            ) : null}
            {o.created_at ? ` · Created ${when(o.created_at)}` : ''}
            {o.member_count !== null ? ` · ${memberCount(o.member_count)}` : ''}
            {o.admin_count === 0 ? ' · No admin: only superusers manage it' : ''}
          </p>
        </div>
        {back}
      </div>
      {readOnly ? (
        <p className="banner info" role="note">
          {readOnly}
        </p>
      ) : null}
      <FreshKeyNotice />
      {readOnly ? null : <SettingsCard org={o} onSaved={() => void detail.reload()} />}

      <section className="card" aria-labelledby="org-members-h" aria-busy={members.loading}>
        <div className="section-head">
          <h2 id="org-members-h">Members</h2>
          {members.loading && members.value ? <Spinner label="Refreshing members" /> : null}
        </div>
        <ErrorBanner error={members.error} onRetry={() => void members.reload()} />
        <ErrorBanner error={actionError} />
        {members.value === null ? null : list.length === 0 ? (
          <p className="muted">No members yet.</p>
        ) : (
          <OrgMembersTable
            members={list}
            writable={!readOnly}
            busy={busy}
            refused={refused}
            onRole={(m, role) => void changeRole(m, role)}
            onRemove={setRemoving}
          />
        )}
        {readOnly ? null : <AddMemberForm org={org} onAdded={reloadAll} />}
      </section>

      {readOnly ? null : (
        <OrgInviteCard
          org={org}
          orgName={o.name}
          invitations={invitations.value}
          loading={invitations.loading}
          error={invitations.error}
          reload={() => void invitations.reload()}
        />
      )}

      {readOnly || ssoAbsent || !o.slug ? null : (
        <SsoProvidersCard
          org={o.slug}
          title="Single sign-on"
          intro={`IdPs for ${o.name}: offered on its sign-in page (/o/${o.slug}/…) as “Sign in with <name>”. Who may join through them is its SSO users setting above.`}
        />
      )}

      {readOnly ? null : <CreateOrgUserForm org={org} orgName={o.name} onCreated={reloadAll} />}

      {readOnly ? null : (
        <section className="card danger-zone" aria-labelledby="org-danger-h">
          <h2 id="org-danger-h">Delete organization</h2>
          <p className="small">
            Deletes {o.name} and its memberships; the accounts stay. Tokens signed in to it fall back to each member’s personal organization.
          </p>
          <button type="button" className="danger" onClick={() => setDeleting(true)}>
            Delete organization
          </button>
        </section>
      )}

      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.username ?? ''} from ${o.name}?`}
        confirmLabel="Remove"
        danger
        busy={busy !== null}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>Their account stays; they lose this organization’s access. Tokens signed in to it fall back to their personal organization.</p>
      </ConfirmDialog>
      <DeleteOrgDialog org={o} open={deleting} onClose={() => setDeleting(false)} />
    </section>
  );
}

/** Name and SSO-users policy; the id cannot change (clients and tokens name the organization by it). */
function SettingsCard({ org, onSaved }: { org: Organization; onSaved(): void }) {
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const [name, setName] = useState(org.name);
  const [policy, setPolicy] = useState<JoinPolicy>(org.join_policy ?? 'invite_only');
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  useEffect(() => {
    setName(org.name);
    setPolicy(org.join_policy ?? 'invite_only');
  }, [org.name, org.join_policy]);
  const patch = { ...(name.trim() !== org.name ? { name: name.trim() } : {}), ...(policy !== org.join_policy ? { join_policy: policy } : {}) };
  const dirty = Object.keys(patch).length > 0;

  async function save() {
    setBusy(true);
    setError(null);
    const r = await call('updateOrganization', { connection, org: org.ref, patch });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    toast('ok', `Saved ${r.value.name}`);
    onSaved();
  }

  return (
    <section className="card" aria-labelledby="org-settings-h">
      <h2 id="org-settings-h">Settings</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (dirty) void save();
        }}
        noValidate
      >
        <div className="grid2">
          <Field label="Name" required value={name} onChange={setName} />
          <div className="field">
            <label htmlFor={`${id}-p`}>SSO users</label>
            <select id={`${id}-p`} value={policy} onChange={(e) => setPolicy(e.target.value as JoinPolicy)} aria-describedby={`${id}-ph`}>
              {(Object.keys(POLICY_LABEL) as JoinPolicy[]).map((p) => (
                <option key={p} value={p}>
                  {POLICY_LABEL[p]}
                </option>
              ))}
            </select>
            <div className="hint" id={`${id}-ph`}>
              {POLICY_HINT}
            </div>
          </div>
        </div>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="submit" disabled={!dirty || busy}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}

function DeleteOrgDialog({ org, open, onClose }: { org: Organization; open: boolean; onClose(): void }) {
  const navigate = useApp((s) => s.navigate);
  const connection = useConnection();
  const toast = useToasts((s) => s.show);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    const r = await call('deleteOrganization', { connection, org: org.ref });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    toast('ok', `Deleted ${org.name}`);
    onClose();
    navigate({ name: 'organizations' }, { force: true });
  }
  return (
    <ConfirmDialog
      open={open}
      title={`Delete ${org.name}?`}
      confirmLabel="Delete organization"
      danger
      busy={busy}
      typeToConfirm={org.slug ?? org.ref}
      onConfirm={() => void confirm()}
      onCancel={onClose}
    >
      <p>
        {org.member_count !== null ? `Its ${memberCount(org.member_count)} lose it and its` : 'Its members lose it and its'} pending invitations stop working.
        Tokens signed in to it fall back to each member’s personal organization. This cannot be undone.
      </p>
      <ErrorBanner error={error} />
    </ConfirmDialog>
  );
}

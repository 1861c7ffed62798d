import { useTitle } from '../../lib/title.ts';
import { RegistrationCard } from './registration-card.tsx';
import { InvitationsCard } from './invitations-card.tsx';
import { NotOffered, useNotOffered } from '../../components/not-offered.tsx';
import { PageHead } from '../../components/ui.tsx';

/** Runtime settings (applied at once, audited) and invitations. */
export function SettingsScreen() {
  useTitle('Registration & settings');
  const noInvitations = useNotOffered('invitations');
  const noAudit = useNotOffered('audit');
  return (
    <div className="screen-settings">
      <PageHead
        title="Registration & settings"
        subtitle={`Changes apply at once, without a restart${noAudit ? '.' : ', and are recorded in the audit log.'}`}
      />
      <RegistrationCard />
      {noInvitations ? <NotOffered title="Invitations" sentence={noInvitations} /> : <InvitationsCard />}
    </div>
  );
}

import { useTitle } from '../../lib/title.ts';
import { RegistrationCard } from './registration-card.tsx';
import { InvitationsCard } from './invitations-card.tsx';

/** Runtime settings (applied at once, audited) and invitations. */
export function SettingsScreen() {
  useTitle('Registration & settings');
  return (
    <div className="screen-settings">
      <div className="page-head">
        <div>
          <h1>Registration &amp; settings</h1>
          <p className="muted subtitle">Changes apply at once, without a restart, and are recorded in the audit log.</p>
        </div>
      </div>
      <RegistrationCard />
      <InvitationsCard />
    </div>
  );
}

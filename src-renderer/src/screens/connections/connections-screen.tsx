import { useEffect, useState } from 'react';
import { useTitle } from '../../lib/title.ts';
import { useApp } from '../../stores/app-store.ts';
import { BundledServerCard } from './bundled-server-card.tsx';
import { profileRows } from './connections-model.ts';
import { ProfileDialogs, type ProfileDialog } from './profile-dialogs.tsx';
import { ProfilesTable } from './profiles-table.tsx';
import { PageHead } from '../../components/ui.tsx';

export const NO_KEYCHAIN = 'No OS keychain: the console keeps no credentials; you will sign in each time.';

/** Saved connections, which one is live, and the bundled server. */
export function ConnectionsScreen() {
  const { profiles, status, server, refresh, navigate } = useApp();
  const [dialog, setDialog] = useState<ProfileDialog>(null);
  const add = () => navigate({ name: 'wizard' });
  useTitle('Connections');

  // Health, saved sign-ins and the server's state may have changed since the last screen.
  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <div className="screen-connections">
      <PageHead
        title="Connections"
        subtitle="The servers this console manages. Saved sign-ins live in the OS keychain, never in a file: a personal API key for a Graphistry Admin server, the admin password for a Graphistry (its admin site has no other way in)."
      >
        <button type="button" onClick={add}>
          Add connection
        </button>
      </PageHead>
      {status && !status.keychain.available ? (
        <div className="banner warn keychain-notice" role="note">
          <div>
            <strong>{NO_KEYCHAIN}</strong>
            {status.keychain.detail ? (
              <details className="small">
                <summary>Why</summary>
                {status.keychain.detail}
              </details>
            ) : null}
          </div>
        </div>
      ) : null}
      <ProfilesTable
        rows={profileRows(profiles, status, server)}
        onSignOut={(profile) => setDialog({ kind: 'sign-out', profile })}
        onForget={(profile) => setDialog({ kind: 'forget', profile })}
      />
      <BundledServerCard />
      <ProfileDialogs dialog={dialog} onClose={() => setDialog(null)} />
    </div>
  );
}

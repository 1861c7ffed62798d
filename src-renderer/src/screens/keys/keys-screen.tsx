import { useState } from 'react';
import type { NewPersonalKey, PersonalKey } from '../../../../src-shared/domain.ts';
import { useTitle } from '../../lib/title.ts';
import { useReloads } from '../../lib/use-reloads.ts';
import { useApp } from '../../stores/app-store.ts';
import { EmptyState, ErrorBanner, PageHead, Spinner } from '../../components/ui.tsx';
import { CreateKeyForm } from './create-key-form.tsx';
import { NewKeyNotice } from './new-key-notice.tsx';
import { KeysTable } from './keys-table.tsx';
import { JwtCard } from './jwt-card.tsx';
import { RevokeKeyDialog } from './revoke-key-dialog.tsx';
import { useKeys, useOwnerName } from './use-keys.ts';
import { NotOffered, useNotOffered } from '../../components/not-offered.tsx';

/** API keys, or, where the server keeps them elsewhere (a Graphistry), what it says about that, and the JWT card. */
export function KeysScreen({ userId }: { userId?: number | undefined }) {
  const notOffered = useNotOffered(userId === undefined ? 'own_keys' : 'user_keys');
  return notOffered ? <KeysElsewhere userId={userId} sentence={notOffered} /> : <KeysManager userId={userId} />;
}

function KeysElsewhere({ userId, sentence }: { userId: number | undefined; sentence: string }) {
  const navigate = useApp((s) => s.navigate);
  useTitle('API keys');
  return (
    <div className="screen-keys">
      <PageHead title="API keys">
        {userId !== undefined ? (
          <button type="button" className="secondary small" onClick={() => navigate({ name: 'user', id: userId })}>
            Back to the user
          </button>
        ) : null}
      </PageHead>
      <NotOffered title="Keys are made on the dashboard" sentence={sentence} />
      {userId === undefined ? <JwtCard /> : null}
    </div>
  );
}

/** API keys of the signed-in admin (no `userId`) or, as admin, of any user. */
function KeysManager({ userId }: { userId?: number | undefined }) {
  const navigate = useApp((s) => s.navigate);
  const myName = useApp((s) => s.status?.user?.username);
  const owner = userId ?? 'me';
  const { name, error: nameError } = useOwnerName(userId, myName);
  const { keys, error, loading, reload } = useKeys(owner);
  useReloads(() => void reload());
  const [created, setCreated] = useState<NewPersonalKey | null>(null);
  const [revoking, setRevoking] = useState<PersonalKey | null>(null);
  const shownName = name ?? (userId === undefined ? 'you' : `user ${userId}`);
  useTitle(userId === undefined ? 'API keys' : `${shownName}'s API keys`);

  return (
    <div className="screen-keys">
      <PageHead title="API keys" subtitle={userId === undefined ? `Your keys (${shownName})` : `${shownName}'s keys`}>
        {userId !== undefined ? (
          <button type="button" className="secondary small" onClick={() => navigate({ name: 'user', id: userId })}>
            Back to {shownName}
          </button>
        ) : null}
      </PageHead>
      <ErrorBanner error={nameError} />

      {created ? <NewKeyNotice created={created} onDone={() => setCreated(null)} /> : null}
      <CreateKeyForm
        owner={owner}
        onCreated={(k) => {
          setCreated(k);
          void reload();
        }}
      />

      <section aria-labelledby="keys-list-h" aria-busy={loading}>
        <div className="section-head">
          <h2 id="keys-list-h">Keys</h2>
          {loading && keys ? <Spinner label="Refreshing keys" /> : null}
        </div>
        <ErrorBanner error={error} onRetry={() => void reload()} />
        {keys === null ? (
          loading ? (
            <div className="table-wrap loading-block">
              <Spinner label="Loading keys" /> <span className="muted">Loading keys…</span>
            </div>
          ) : null
        ) : keys.length === 0 ? (
          <div className="table-wrap">
            <EmptyState title="No keys yet">Create one above; its secret is shown once.</EmptyState>
          </div>
        ) : (
          <KeysTable keys={keys} onRevoke={setRevoking} />
        )}
      </section>

      {userId === undefined ? <JwtCard /> : null}

      <RevokeKeyDialog
        owner={owner}
        target={revoking}
        ownKeys={userId === undefined}
        onClose={(revoked) => {
          setRevoking(null);
          if (revoked) void reload();
        }}
      />
    </div>
  );
}

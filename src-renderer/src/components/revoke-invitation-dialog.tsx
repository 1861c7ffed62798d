import type { ReactNode } from 'react';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorBanner } from './ui.tsx';

/**
 * "Revoke this invitation?" for a site or an organization link: the link
 * stops working at once; `after` says what happens to what was already
 * made with it.
 */
export function RevokeInvitationDialog(props: {
  invitation: { note: string | null } | null;
  busy: boolean;
  error: ConsoleError | null;
  after: ReactNode;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { invitation } = props;
  return (
    <ConfirmDialog
      open={invitation !== null}
      title="Revoke this invitation?"
      confirmLabel="Revoke invitation"
      danger
      busy={props.busy}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    >
      <p>
        The link {invitation?.note ? `for “${invitation.note}” ` : ''}stops working at once. {props.after}
      </p>
      <ErrorBanner error={props.error} />
    </ConfirmDialog>
  );
}

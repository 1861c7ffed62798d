import { useApp } from '../stores/app-store.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';

/** "Stay" is the safe answer, so it is the one Escape gives. */
export function LeaveDialog() {
  const leaving = useApp((s) => s.leaving);
  return (
    <ConfirmDialog
      open={leaving !== null}
      title="Leave this screen?"
      confirmLabel="Leave anyway"
      cancelLabel="Stay"
      danger
      onConfirm={() => useApp.getState().confirmLeave()}
      onCancel={() => useApp.getState().cancelLeave()}
    >
      <p>{leaving?.message}</p>
    </ConfirmDialog>
  );
}

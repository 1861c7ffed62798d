import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/**
 * A modal confirmation for destructive steps. With `typeToConfirm` the
 * confirm button stays disabled until the exact text is typed.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  typeToConfirm?: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setTyped('');
      d.showModal();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);
  const ready = !props.typeToConfirm || typed === props.typeToConfirm;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-t`} onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <h2 id={`${id}-t`}>{props.title}</h2>
      <div className="dialog-body">{props.children}</div>
      {props.typeToConfirm ? (
        <div className="field">
          <label htmlFor={`${id}-c`}>
            Type <code>{props.typeToConfirm}</code> to confirm
          </label>
          <input id={`${id}-c`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoFocus />
        </div>
      ) : null}
      <div className="actions end">
        <button type="button" className="secondary" onClick={props.onCancel}>
          {props.cancelLabel ?? 'Cancel'}
        </button>
        <button type="button" className={props.danger ? 'danger' : ''} disabled={!ready || props.busy} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner } from '../../components/ui.tsx';

/**
 * The bottom of every wizard form: the error banner (inserted above the
 * buttons, so the fields the user is looking at never move), Back, the submit
 * button, and a live "working" line beside them.
 */
export function FormFooter(props: {
  busy: boolean;
  submitLabel: string;
  busyText: string;
  banner: ConsoleError | null;
  onBack?: (() => void) | undefined;
  /** The banner's message is already complete (explainSignInError): no generic hint after it. */
  plain?: boolean;
}) {
  return (
    <>
      {props.plain ? <PlainBanner error={props.banner} /> : <ErrorBanner error={props.banner} />}
      <div className="actions">
        {props.onBack ? (
          <button type="button" className="secondary" onClick={props.onBack} disabled={props.busy}>
            Back
          </button>
        ) : null}
        <button type="submit" disabled={props.busy} aria-busy={props.busy || undefined}>
          {props.submitLabel}
        </button>
        <BusyLine busy={props.busy} text={props.busyText} />
      </div>
    </>
  );
}

export function PlainBanner({ error }: { error: ConsoleError | null }) {
  if (!error) return null;
  return (
    <div className="banner error" role="alert">
      <span>{error.message}</span>
    </div>
  );
}

/**
 * Always rendered (empty when idle) so screen readers announce the change and
 * the row does not reflow when it fills. The spinner is decorative here: the
 * text says what is happening, and a labelled spinner inside a button would
 * change the button's accessible name.
 */
export function BusyLine({ busy, text }: { busy: boolean; text: string }) {
  return (
    <span className="busy-line muted" role="status" aria-live="polite">
      {busy ? (
        <>
          <span className="spinner" aria-hidden="true" /> {text}
        </>
      ) : null}
    </span>
  );
}

/**
 * A form whose Enter submits and whose submit never reloads the page. The
 * browser's own validation bubbles are off: the server's rules (and the
 * bridge's) show at the fields instead, all in one style.
 */
export function WizardForm(props: { label: string; onSubmit(): void; busy: boolean; error: ConsoleError | null; children: ReactNode }) {
  const form = useRef<HTMLFormElement>(null);
  // The submit button was disabled while busy, which drops focus to <body>:
  // after a failure, bring it back to the field to fix (or the first one).
  useEffect(() => {
    const f = form.current;
    if (!props.error || !f) return;
    const active = document.activeElement;
    if (active && active !== document.body && !f.contains(active)) return;
    const target = f.querySelector<HTMLInputElement>('input[aria-invalid=true]') ?? f.querySelector<HTMLInputElement>('input');
    target?.focus();
  }, [props.error]);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!props.busy) props.onSubmit();
  }
  return (
    <form ref={form} className="wizard-form" aria-label={props.label} aria-busy={props.busy || undefined} onSubmit={submit} noValidate>
      {props.children}
    </form>
  );
}

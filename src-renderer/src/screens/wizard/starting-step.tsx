import { useEffect, useRef } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { ErrorBanner } from '../../components/ui.tsx';

/**
 * The bundled server's progress line, shown on every step of the bundled
 * path so the admin always sees where the server answers.
 */
export function BundledStatus({ line, running }: { line: string | null; running: boolean }) {
  return (
    <p className="wizard-status" role="status" aria-live="polite">
      {line ? (
        <>
          {running ? <span className="dot up" aria-hidden="true" /> : <span className="spinner" aria-hidden="true" />}
          <span>{line}</span>
        </>
      ) : null}
    </p>
  );
}

/** While the server starts (and asks who is registered): progress, or the failure with a retry. */
export function StartingStep(props: {
  title: string;
  statusLine: string | null;
  running: boolean;
  busy: boolean;
  error: ConsoleError | null;
  onRetry(): void;
  onBack(): void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The choice button that had focus is gone; put focus somewhere that reads the step.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="wizard-step" aria-labelledby="wizard-title" aria-busy={props.busy || undefined}>
      <p className="eyebrow">{props.title} · this computer</p>
      <h1 id="wizard-title" ref={heading} tabIndex={-1}>
        The bundled server
      </h1>
      <p className="muted">
        The console runs the account server as a child process on a free port of this computer (127.0.0.1 only), with its data in the console's data folder. It
        stops when the console quits.
      </p>
      <BundledStatus line={props.statusLine} running={props.running} />
      <ErrorBanner error={props.error} onRetry={props.onRetry} />
      <div className="actions">
        <button type="button" className="secondary" onClick={props.onBack}>
          Back
        </button>
      </div>
    </section>
  );
}

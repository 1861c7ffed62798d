import { useId, type ReactNode } from 'react';
import type { ConsoleError } from '../../../src-shared/console-errors.ts';
import { formatDate } from '../../../src-shared/dates.ts';
import { describeError } from '../lib/api.ts';

/** A labelled input with its hint and its error, wired for screen readers. */
export function Field(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'password' | 'email' | 'url' | 'search';
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
  autoFocus?: boolean;
  autoComplete?: string;
  placeholder?: string;
  name?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label}
        {props.required ? null : <span className="muted"> (optional)</span>}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        required={props.required}
        autoFocus={props.autoFocus}
        autoComplete={props.autoComplete}
        placeholder={props.placeholder}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
      />
      {props.hint ? (
        <div className="hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      ) : null}
      {props.error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** A checkbox with a one-line explanation underneath. */
export function Check(props: {
  label: string;
  checked: boolean;
  onChange(v: boolean): void;
  explain?: string;
  error?: string | undefined;
  disabled?: boolean;
  name?: string;
}) {
  const id = useId();
  return (
    <div className="check">
      <input
        id={id}
        name={props.name}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-describedby={props.explain ? `${id}-x` : undefined}
      />
      <div>
        <label htmlFor={id}>{props.label}</label>
        {props.explain ? (
          <div className="hint" id={`${id}-x`}>
            {props.explain}
          </div>
        ) : null}
        {props.error ? (
          <div className="field-error" role="alert">
            {props.error}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** A screen's heading: its title, a line under it, and what goes on the right (its main buttons). */
export function PageHead({ title, subtitle, children }: { title: ReactNode; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted subtitle">{subtitle}</p> : null}
      </div>
      {children}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function ErrorBanner({ error, onRetry }: { error: ConsoleError | null; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="banner error" role="alert">
      <span>{describeError(error)}</span>
      {onRetry ? (
        <button type="button" className="secondary small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

export function Badge({ on, children }: { on: boolean; children: ReactNode }) {
  return <span className={`badge ${on ? 'on' : 'off'}`}>{children}</span>;
}

/** Local date and time for an ISO instant, in the console's one date format, or a dash. */
export function when(iso: string | null | undefined, empty = '—'): string {
  return formatDate(iso, { empty });
}

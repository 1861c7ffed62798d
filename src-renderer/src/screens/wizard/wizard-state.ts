import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import type { RegistrationState } from '../../../../src-shared/domain.ts';

/**
 * The first-run wizard as a state machine, kept free of React so it can be
 * tested without a DOM:
 *
 *   choose --bundled--> starting --registration--> first-admin | sign-in --done
 *   choose --remote---> remote --done
 *   any step --back--> choose
 */
export type WizardStep = 'choose' | 'starting' | 'first-admin' | 'sign-in' | 'remote' | 'done';

export interface WizardState {
  step: WizardStep;
  busy: boolean;
  error: ConsoleError | null;
  /** The profile this run works on (reused on a retry instead of saving another). */
  profileId: string | null;
  /** Where the bundled server answers once it runs. */
  serverUrl: string | null;
  registration: RegistrationState | null;
  /**
   * Bumped on every Back. Asynchronous steps stamp their events with
   * the epoch they started in, so an answer that arrives after the user left
   * that step (a slow server start, say) cannot drag them back into it.
   */
  epoch: number;
}

/** Events a step's work reports; `epoch` is stamped by the screen when the work starts. */
export type WizardProgress =
  | { type: 'submit' }
  | { type: 'failed'; error: ConsoleError }
  | { type: 'profile'; profileId: string | null }
  | { type: 'server-running'; url: string }
  | { type: 'registration'; registration: RegistrationState }
  | { type: 'done' };

export type WizardEvent = { type: 'choose'; path: 'bundled' | 'remote' } | { type: 'back' } | (WizardProgress & { epoch: number });

export const initialWizard: WizardState = Object.freeze({
  step: 'choose',
  busy: false,
  error: null,
  profileId: null,
  serverUrl: null,
  registration: null,
  epoch: 0,
});

export function wizardReducer(state: WizardState, event: WizardEvent): WizardState {
  switch (event.type) {
    case 'choose':
      if (state.step !== 'choose') return state;
      // The epoch stays: the work a choice starts is stamped with it right away.
      return event.path === 'bundled'
        ? { ...initialWizard, step: 'starting', busy: true, epoch: state.epoch }
        : { ...initialWizard, step: 'remote', epoch: state.epoch };
    case 'back':
      // Not while a sign-up or sign-in is in flight: its outcome would be invisible.
      if (state.step === 'choose' || state.step === 'done' || (state.busy && state.step !== 'starting')) return state;
      return { ...initialWizard, epoch: state.epoch + 1 };
  }
  if (event.epoch !== state.epoch || state.step === 'done') return state;
  switch (event.type) {
    case 'submit':
      return { ...state, busy: true, error: null };
    case 'failed':
      return { ...state, busy: false, error: event.error };
    case 'profile':
      return { ...state, profileId: event.profileId };
    case 'server-running':
      return { ...state, serverUrl: event.url };
    case 'registration':
      return {
        ...state,
        busy: false,
        error: null,
        registration: event.registration,
        step: event.registration.has_users ? 'sign-in' : 'first-admin',
      };
    case 'done':
      return { ...state, step: 'done', busy: true, error: null };
  }
}

/** What the bundled path's status line says right now (null: nothing to say). */
export function bundledStatusLine(state: WizardState): string | null {
  if (state.serverUrl) return `Running at ${state.serverUrl}`;
  if (state.step === 'starting' && state.busy) return 'Starting the bundled server…';
  return null;
}

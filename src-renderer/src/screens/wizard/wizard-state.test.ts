import { describe, expect, it } from 'vitest';
import type { RegistrationState } from '../../../../src-shared/domain.ts';
import { bundledStatusLine, initialWizard, wizardReducer, type WizardEvent, type WizardState } from './wizard-state.ts';

const empty: RegistrationState = { has_users: false, signups_open: true, first_signup_needs_setup_token: false, password_rules: ['At least 8 characters.'] };
const run = (events: WizardEvent[], from: WizardState = initialWizard) => events.reduce(wizardReducer, from);

describe('wizard state machine', () => {
  it('bundled path: starting, running, then the first-admin form on an empty server', () => {
    const starting = run([{ type: 'choose', path: 'bundled' }]);
    expect(starting).toMatchObject({ step: 'starting', busy: true });
    expect(bundledStatusLine(starting)).toBe('Starting the bundled server…');

    const running = run([{ type: 'server-running', url: 'http://127.0.0.1:4100', epoch: 0 }], starting);
    expect(bundledStatusLine(running)).toBe('Running at http://127.0.0.1:4100');

    const form = run([{ type: 'registration', registration: empty, epoch: 0 }], running);
    expect(form).toMatchObject({ step: 'first-admin', busy: false, registration: empty });
  });

  it('bundled path: a server with accounts asks for a sign-in instead', () => {
    const s = run([
      { type: 'choose', path: 'bundled' },
      { type: 'registration', registration: { ...empty, has_users: true }, epoch: 0 },
    ]);
    expect(s.step).toBe('sign-in');
  });

  it('a failure clears busy and keeps the step; the next submit clears the error', () => {
    const failed = run([
      { type: 'choose', path: 'remote' },
      { type: 'submit', epoch: 0 },
      { type: 'failed', error: { code: 'UNAUTHORIZED', message: 'Wrong username or password.' }, epoch: 0 },
    ]);
    expect(failed).toMatchObject({ step: 'remote', busy: false, error: { code: 'UNAUTHORIZED' } });
    expect(run([{ type: 'submit', epoch: 0 }], failed)).toMatchObject({ busy: true, error: null });
  });

  it('Back returns to the choice and drops late answers from the abandoned step', () => {
    const left = run([{ type: 'choose', path: 'bundled' }, { type: 'back' }]);
    expect(left).toMatchObject({ step: 'choose', busy: false, epoch: 1 });
    // The server start begun at epoch 0 finishes after the user went back.
    const late = run(
      [
        { type: 'server-running', url: 'http://127.0.0.1:1', epoch: 0 },
        { type: 'registration', registration: empty, epoch: 0 },
      ],
      left,
    );
    expect(late).toEqual(left);
    // A fresh choice works at the new epoch.
    const again = run(
      [
        { type: 'choose', path: 'bundled' },
        { type: 'server-running', url: 'http://127.0.0.1:2', epoch: 1 },
      ],
      left,
    );
    expect(again.serverUrl).toBe('http://127.0.0.1:2');
  });

  it('Back is refused while a sign-up is in flight, allowed while the server starts', () => {
    const signingUp = run([
      { type: 'choose', path: 'bundled' },
      { type: 'registration', registration: empty, epoch: 0 },
      { type: 'submit', epoch: 0 },
    ]);
    expect(run([{ type: 'back' }], signingUp)).toBe(signingUp);
    expect(run([{ type: 'choose', path: 'bundled' }, { type: 'back' }]).step).toBe('choose');
  });

  it('a choice only counts on the first step', () => {
    const remote = run([{ type: 'choose', path: 'remote' }]);
    expect(run([{ type: 'choose', path: 'bundled' }], remote)).toBe(remote);
  });

  it('done is final: nothing moves it, not even Back', () => {
    const done = run([
      { type: 'choose', path: 'remote' },
      { type: 'done', epoch: 0 },
    ]);
    expect(done.step).toBe('done');
    expect(run([{ type: 'back' }, { type: 'failed', error: { code: 'INTERNAL', message: 'x' }, epoch: 0 }], done)).toBe(done);
  });
});

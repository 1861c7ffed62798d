import { useEffect, useReducer, useRef, useState } from 'react';
import { useTitle } from '../../lib/title.ts';
import { call } from '../../lib/api.ts';
import { useApp } from '../../stores/app-store.ts';
import { useToasts } from '../../stores/toast-store.ts';
import { ChooseStep } from './choose-step.tsx';
import { FirstAdminForm } from './first-admin-form.tsx';
import { RemoteForm } from './remote-form.tsx';
import { SignInForm } from './sign-in-form.tsx';
import { BundledStatus, StartingStep } from './starting-step.tsx';
import { connectRemote, createFirstAdmin, signInTo, startBundled, type Emit } from './wizard-flows.ts';
import { bundledStatusLine, initialWizard, wizardReducer } from './wizard-state.ts';
import { hostOf } from './wizard-text.ts';

/** First-run setup: bundled server + first admin, or a remote Graphistry; ends on the Users manager. */
export function WizardScreen() {
  const [state, dispatch] = useReducer(wizardReducer, initialWizard);
  const hasProfiles = useApp((s) => s.profiles.length > 0);
  const finished = useRef(false);
  // First-run setup only for a console with no connection at all; otherwise this is "Add a connection".
  const [firstRun] = useState(() => useApp.getState().profiles.length === 0);
  const title = firstRun ? 'Set up Graphistry Admin' : 'Add a connection';
  useTitle(title);

  // Work started now reports with today's epoch; after a Back its answers are dropped.
  const emitter = (): Emit => {
    const epoch = state.epoch;
    return (e) => dispatch({ ...e, epoch });
  };

  useEffect(() => {
    if (state.step !== 'done' || finished.current) return;
    finished.current = true;
    void (async () => {
      const app = useApp.getState();
      await app.refresh();
      const name = useApp.getState().status?.profile?.name;
      useToasts.getState().show('ok', name ? `Connected to ${name}` : 'Connected');
      app.navigate({ name: 'users' });
    })();
  }, [state.step]);

  const back = () => dispatch({ type: 'back' });
  const statusLine = bundledStatusLine(state);
  const running = state.serverUrl !== null;
  const profileId = state.profileId ?? '';

  switch (state.step) {
    case 'choose':
      return (
        <ChooseStep
          title={title}
          firstRun={firstRun}
          onChoose={(path) => {
            dispatch({ type: 'choose', path });
            if (path === 'bundled') void startBundled(call, emitter());
          }}
          onCancel={hasProfiles ? () => useApp.getState().navigate({ name: 'connections' }) : undefined}
        />
      );
    case 'starting':
      return (
        <StartingStep
          title={title}
          statusLine={statusLine}
          running={running}
          busy={state.busy}
          error={state.error}
          onRetry={() => void startBundled(call, emitter())}
          onBack={back}
        />
      );
    case 'first-admin':
    case 'sign-in':
      if (!state.registration) return null;
      return (
        <section className="wizard-step">
          <p className="eyebrow">{title} · this computer</p>
          <BundledStatus line={statusLine} running={running} />
          {state.step === 'first-admin' ? (
            <FirstAdminForm
              registration={state.registration}
              busy={state.busy}
              error={state.error}
              onSubmit={(input) => void createFirstAdmin(call, emitter(), profileId, input)}
              onBack={back}
            />
          ) : (
            <SignInForm
              busy={state.busy}
              error={state.error}
              onSubmit={(u, p) => void signInTo(call, emitter(), profileId, hostOf(state.serverUrl ?? ''), u, p)}
              onBack={back}
            />
          )}
        </section>
      );
    case 'remote':
      return (
        <section className="wizard-step">
          <p className="eyebrow">{title} · remote server</p>
          <RemoteForm busy={state.busy} error={state.error} onSubmit={(input) => void connectRemote(call, emitter(), state.profileId, input)} onBack={back} />
        </section>
      );
    case 'done':
      return (
        <section className="wizard-step" aria-busy="true">
          <p className="wizard-status" role="status">
            <span className="spinner" aria-hidden="true" /> <span>Connected. Opening the Users manager…</span>
          </p>
        </section>
      );
  }
}

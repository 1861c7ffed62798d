/** Step 1: where the accounts live. */
export function ChooseStep(props: { title: string; firstRun: boolean; onChoose(path: 'bundled' | 'remote'): void; onCancel?: (() => void) | undefined }) {
  return (
    <section className="wizard-step" aria-labelledby="wizard-title">
      <h1 id="wizard-title">{props.title}</h1>
      <p className="muted">
        {!props.firstRun
          ? 'Another server for this console to manage: the bundled one on this computer, or a Graphistry by its address.'
          : 'Choose the server whose accounts this console manages. You can add the other kind later under Connections.'}
      </p>
      <div className="choices">
        <Choice
          title="Start the bundled server"
          line="Runs an account server on this computer, with its data in the console's data folder. No other setup needed."
          onClick={() => props.onChoose('bundled')}
          autoFocus
        />
        <Choice
          title="Connect to a Graphistry server"
          line="Manage an existing Graphistry deployment by its address, signing in with a superuser account."
          onClick={() => props.onChoose('remote')}
        />
      </div>
      {props.onCancel ? (
        <div className="actions">
          <button type="button" className="ghost" onClick={props.onCancel}>
            Back to connections
          </button>
        </div>
      ) : null}
    </section>
  );
}

/**
 * A large button named by everything it shows, title first: a name of only
 * the title hid the visible explanation from it (WCAG 2.5.3, label in name:
 * axe's label-content-name-mismatch), and the name still starts with what a
 * voice-control user says ("click Start the bundled server").
 */
function Choice(props: { title: string; line: string; onClick(): void; autoFocus?: boolean }) {
  return (
    <button type="button" className="choice" onClick={props.onClick} autoFocus={props.autoFocus}>
      <span className="choice-title">{props.title}</span> <span className="choice-line">{props.line}</span>
    </button>
  );
}

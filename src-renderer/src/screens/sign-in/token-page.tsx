import { useTitle } from '../../lib/title.ts';

/**
 * Web mode opened without a working token: no token at all (a bookmark, a
 * hand-typed address) or one the host refuses (a link from before the
 * token was replaced with --new-token). Never the setup wizard: nothing is
 * wrong with the console's connections, only with this page's link.
 */
export function TokenPage({ reason }: { reason: 'missing' | 'refused' }) {
  useTitle('Open the console from its link');
  return (
    <main className="standalone" id="main">
      <section className="wizard-step" aria-labelledby="token-title">
        <p className="eyebrow">Graphistry Admin console</p>
        <h1 id="token-title">{reason === 'refused' ? 'This link is from an earlier launch' : 'Open the console from its link'}</h1>
        <p>
          {reason === 'refused'
            ? 'The console was given a new key since this page was opened (started with --new-token, or with another data folder), so the old link no longer opens it.'
            : 'This page was opened without the console’s link, which carries its key.'}{' '}
          Open the URL that <code>npm start</code> printed in its terminal; it looks like <code className="nowrap">http://127.0.0.1:PORT/?token=…</code>.
        </p>
        <p className="muted small">Nothing is lost: your connections and saved sign-ins are kept by the console, not by this page.</p>
      </section>
    </main>
  );
}

/** Web mode: the console host stopped answering before the first screen could load. */
export function HostDownPage({ onRetry }: { onRetry(): void }) {
  useTitle('The console is not answering');
  return (
    <main className="standalone" id="main">
      <section className="wizard-step" aria-labelledby="down-title">
        <p className="eyebrow">Graphistry Admin console</p>
        <h1 id="down-title">The console is not answering</h1>
        <p>
          Is <code>npm start</code> still running in its terminal? Start it again if it stopped, then open the URL it prints.
        </p>
        <div className="actions">
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        </div>
      </section>
    </main>
  );
}

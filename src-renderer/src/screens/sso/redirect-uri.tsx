import { copyText } from '../../lib/copy.ts';
import { LoopbackNote } from '../settings/share-links.tsx';

/** The redirect URI to register at the IdP, whole and copyable (not a secret: it is public by design). */
export function RedirectUri({ uri }: { uri: string }) {
  return (
    <div className="sso-redirect">
      <span className="small muted">Redirect URI to register at the IdP</span>
      <div className="secret">
        <code>{uri}</code>
        <button type="button" className="secondary small" onClick={() => void copyText(uri, { sensitive: false, what: 'Redirect URI copied' })}>
          Copy<span className="sr-only"> the redirect URI</span>
        </button>
      </div>
      <LoopbackNote url={uri} settingAt="in Registration & settings" />
    </div>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { isLoopbackUrl, signupUrl } from '../../../../src-shared/urls.ts';
import { Field } from '../../components/ui.tsx';
import { fieldErrors } from '../../lib/api.ts';
import { copyText } from '../../lib/copy.ts';
import { PUBLIC_URL } from './settings-logic.ts';

/** Said wherever a link is shown that opens only on this computer; `settingAt`: where the public URL is set, from where the link shows. */
export function LoopbackNote({ url, settingAt = 'below' }: { url: string; settingAt?: string }) {
  if (!isLoopbackUrl(url)) return null;
  return (
    <p className="hint loopback-note" role="note">
      This link only works on this computer ({new URL(url).host}): sent to someone else, it opens their own computer. Set the public URL {settingAt} to the
      address others use to reach this server.
    </p>
  );
}

/**
 * The sign-up page's link, to share while registration is open: on the
 * public URL when one is set, otherwise on the address the console uses.
 */
export function SignupLink(props: { publicUrl: string; serverUrl: string | null; open: boolean }) {
  const base = props.publicUrl || props.serverUrl;
  if (!base) return null;
  const link = signupUrl(base);
  return (
    <div className="share-link">
      <div className="share-link-head">
        <strong>Sign-up link to share</strong>
        {props.open ? null : <span className="muted small"> · registration is closed, so this page says so until you open it</span>}
      </div>
      <div className="secret">
        <code>{link}</code>
        <button type="button" className="secondary small" onClick={() => void copyText(link, { sensitive: false, what: 'Sign-up link copied' })}>
          Copy link
        </button>
      </div>
      <LoopbackNote url={link} />
    </div>
  );
}

/** The server's public address (the command line's --base-url, as a setting): typed, then saved with its own button. */
export function PublicUrlField(props: { value: string; busy: boolean; onSave(value: string): Promise<ConsoleError | null> }) {
  const [text, setText] = useState(props.value);
  const [error, setError] = useState<string | undefined>();
  // A change from elsewhere (a reload, another admin) shows when the field is not being edited.
  useEffect(() => setText(props.value), [props.value]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const refused = await props.onSave(text.trim());
    setError(refused ? (fieldErrors(refused)[PUBLIC_URL] ?? refused.message) : undefined);
  }
  return (
    <form className="public-url" onSubmit={(e) => void submit(e)} noValidate aria-label="Public URL setting">
      <div className="inline-fields">
        <Field
          label="Public URL"
          type="url"
          name="public_url"
          value={text}
          onChange={(v) => (setText(v), setError(undefined))}
          placeholder="https://graphistry.example.com"
          error={error}
          hint="The address people use to reach this server. Invitation links and the sign-up link are made with it."
        />
        <div className="inline-submit">
          <button type="submit" className="secondary" disabled={props.busy || text.trim() === props.value}>
            Save
          </button>
        </div>
      </div>
    </form>
  );
}

import type { Ref } from 'react';
import type { NewPersonalKey } from '../../../src-shared/domain.ts';
import { copyText } from '../lib/copy.ts';

/**
 * The ways a one-time key is copied: the whole `Authorization` header value,
 * or its id and its secret apart (pygraphistry's `register(personal_key_id=…,
 * personal_key_secret=…)` takes them separately).
 */
export function KeyCopyButtons(props: { created: NewPersonalKey; copyRef?: Ref<HTMLButtonElement>; onCopied?(): void }) {
  const copy = async (text: string, what: string) => {
    if (await copyText(text, { sensitive: true, what })) props.onCopied?.();
  };
  return (
    <>
      <button type="button" ref={props.copyRef} onClick={() => void copy(props.created.authorization, 'Copied')}>
        Copy
      </button>
      <button type="button" className="secondary" onClick={() => void copy(props.created.id, 'Key id copied')}>
        Copy id
      </button>
      <button type="button" className="secondary" onClick={() => void copy(props.created.secret, 'Secret copied')}>
        Copy secret
      </button>
    </>
  );
}

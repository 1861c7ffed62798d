import { CLIPBOARD_CLEAR_MS } from '../../../src-shared/console-api.ts';
import { call } from './api.ts';
import { useToasts } from '../stores/toast-store.ts';

/**
 * Copy a key, JWT or link. In the desktop app the main process writes the OS
 * clipboard and clears it after 45 s; in web mode it delegates to this page,
 * which does the same with the browser's clipboard.
 */
export async function copyText(text: string, opts: { sensitive?: boolean; what?: string } = {}): Promise<boolean> {
  const sensitive = opts.sensitive ?? true;
  const toast = useToasts.getState().show;
  const r = await call('copyToClipboard', { text, sensitive });
  if (!r.ok) {
    toast('error', `Could not copy: ${r.error.message}`);
    return false;
  }
  if (r.value.delegated) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      toast('error', 'The browser refused the clipboard: select the text and copy it by hand.');
      return false;
    }
    if (sensitive) {
      setTimeout(() => {
        void navigator.clipboard
          .readText()
          .then((now) => (now === text ? navigator.clipboard.writeText('') : undefined))
          .catch(() => undefined);
      }, r.value.clear_after_ms || CLIPBOARD_CLEAR_MS);
    }
  }
  const what = opts.what ?? 'Copied';
  toast('ok', sensitive ? `${what}; the clipboard clears in ${Math.round((r.value.clear_after_ms || CLIPBOARD_CLEAR_MS) / 1000)} s` : what);
  return true;
}

import type { ExportedFile } from '../../../src-shared/console-api.ts';

/**
 * Hand a file to the browser to save: a download in web mode, and the same
 * in Electron (its default download handling asks where to save), so no
 * Electron-only code is needed for it.
 */
export function saveFile(file: ExportedFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: `${file.content_type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.file_name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the data by the next turn of the event loop; give it a moment all the same.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

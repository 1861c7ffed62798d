import { html, type SafeHtml } from './html.ts';

export interface PageUser {
  username: string;
}

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Signed-in user: shows the header with sign-out. */
  user?: PageUser | null;
  csrf?: string;
  narrow?: boolean;
}

/** The frame of every page: skip link, header, main landmark, one stylesheet, one deferred script. */
export function layout(o: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${o.title} · Graphistry Admin</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/copy.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/dashboard/">Graphistry Admin <span>accounts</span></a>
  ${
    o.user
      ? html`<form method="post" action="/accounts/logout/">
    <input type="hidden" name="csrf" value="${o.csrf ?? ''}">
    <span class="muted">Signed in as <strong>${o.user.username}</strong></span>
    <button type="submit" class="secondary small">Sign out</button>
  </form>`
      : ''
  }
</header>
<main id="main" class="${o.narrow ? 'narrow' : ''}">
${o.body}
</main>
<footer>Graphistry Admin · an unofficial account server for Graphistry</footer>
</body>
</html>`;
}

export function notice(kind: 'ok' | 'warn' | 'error', content: SafeHtml | string, role: 'status' | 'alert' = kind === 'error' ? 'alert' : 'status'): SafeHtml {
  return html`<div class="notice ${kind}" role="${role}">${content}</div>`;
}

export interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email';
  value?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string | SafeHtml;
  error?: string | undefined;
  autofocus?: boolean;
  maxlength?: number;
}

export function field(f: FieldOptions): SafeHtml {
  const id = `f-${f.name}`;
  const describedBy = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<label for="${id}">${f.label}${f.required ? '' : html` <span class="muted">(optional)</span>`}</label>
<input id="${id}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.type === 'password' ? '' : (f.value ?? '')}"
  ${f.autocomplete ? html`autocomplete="${f.autocomplete}"` : ''} ${f.required ? html`required` : ''} ${f.autofocus ? html`autofocus` : ''}
  ${f.maxlength ? html`maxlength="${f.maxlength}"` : ''} ${describedBy ? html`aria-describedby="${describedBy}"` : ''} ${f.error ? html`aria-invalid="true"` : ''}>
${f.hint ? html`<p class="hint" id="${id}-hint">${f.hint}</p>` : ''}
${f.error ? html`<p class="hint field-error" id="${id}-error">${f.error}</p>` : ''}`;
}

/** A secret shown once, with a copy button (hidden until the script runs, so it never shows dead). */
export function secretBox(id: string, value: string, label: string): SafeHtml {
  return html`<div class="secret">
  <code id="${id}" tabindex="0" aria-label="${label}">${value}</code>
  <button type="button" class="secondary small" data-copy="${id}" hidden>Copy</button>
</div>`;
}

export function csrfInput(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

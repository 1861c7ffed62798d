/**
 * The renderer's Content-Security-Policy, sent by both hosts of the renderer
 * (the `app://` protocol in Electron and the loopback web host) so the page
 * runs under the same rules in either. No inline script or style, no eval, no
 * plugins, no framing; the page talks only to its own origin (the web bridge
 * is same-origin; IPC is not subject to CSP).
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers every renderer response carries, whichever host serves it. */
export const RENDERER_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': RENDERER_CSP,
  'x-content-type-options': 'nosniff',
  // The web-mode URL carries the token until the page strips it: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
});

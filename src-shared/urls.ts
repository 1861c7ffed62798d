/**
 * Whether a link only works on the computer that made it: its host is a
 * loopback name or address (localhost, 127.x.x.x, ::1). Such a link sent to
 * someone else opens their own computer, not this server.
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '[::1]' || host === '::1';
}

/** The server's own sign-up page under a base address (public URL or the address the console uses). */
export const signupUrl = (base: string) => `${base.replace(/\/+$/, '')}/accounts/signup/`;

import { describe, expect, it } from 'vitest';
import { DEFAULT_NEXT, safeNext } from './safe-next.ts';

/**
 * Every form Django's url_has_allowed_host_and_scheme tests refuse
 * (tests/utils_tests/test_http.py, bad_urls), plus dot segments and encoded
 * dots that collapse to another host once resolved.
 */
const REFUSED_NEXT = [
  'http://example.com',
  'http:///example.com',
  'https://example.com',
  'ftp://example.com',
  '\\\\example.com',
  '\\\\\\example.com',
  '/\\\\/example.com',
  '\\\\//example.com',
  '/\\/example.com',
  '\\/example.com',
  '/\\example.com',
  'http:/\\//example.com',
  'http:\\/example.com',
  'http:/\\example.com',
  'javascript:alert("XSS")',
  '\njavascript:alert(x)',
  'java\nscript:alert(x)',
  '\x08//example.com',
  'http://otherserver\\@example.com',
  'http:\\\\testserver\\@example.com',
  'http://testserver\\me:pass@example.com',
  'http://testserver\\@example.com',
  'http:\\\\testserver\\confirm\\me@example.com',
  'http:999999999',
  'ftp:9999999999',
  '\n',
  'http://[2001:cdba:0000:0000:0000:0000:3257:9652/',
  'http://2001:cdba:0000:0000:0000:0000:3257:9652]/',
  '//example.com',
  '/\t/example.com',
  ' //example.com',
  // Dot segments and encoded dots: one leading slash as written, two once resolved.
  '/.//example.com',
  '/./\\example.com',
  '/%2e//example.com',
  '/%2E//example.com',
  '/.%2e/.//example.com',
  '/x/../..//example.com',
  '/x/..//example.com',
  '/x/%2e%2e//example.com',
  '/%2e%2e//example.com',
  '/..//example.com',
  '/dashboard/..//example.com',
  // Encoded slashes that some proxies decode before the browser sees them.
  '/%2F/example.com',
  '/%2f%2fexample.com',
  '/%5C/example.com',
  '/%zz',
  // Not absolute paths, or sign-in pages themselves.
  '',
  'dashboard',
  'view/?param=//example.com',
  '/accounts/logout/',
  '/accounts/login/?next=/dashboard/',
  '/./accounts/login/',
];

describe('safeNext', () => {
  it.each(REFUSED_NEXT)('sends %j to the dashboard', (raw) => {
    expect(safeNext(raw)).toBe(DEFAULT_NEXT);
  });
  it.each([
    ['/dashboard/', '/dashboard/'],
    ['/dashboard/?tab=keys', '/dashboard/?tab=keys'],
    ['/accounts/invite/abc/', '/accounts/invite/abc/'],
    ['/view/?param=http://example.com', '/view/?param=http://example.com'],
    ['/view?param=ftp://example.com', '/view?param=ftp://example.com'],
    ['/url%20with%20spaces/', '/url%20with%20spaces/'],
    ['/confirm/me@example.com', '/confirm/me@example.com'],
    ['/x/../dashboard/', '/dashboard/'],
    ['/%2e/dashboard/', '/dashboard/'],
  ])('keeps the same-site path %j as %j', (raw, expected) => {
    expect(safeNext(raw)).toBe(expected);
  });
  // Regression: the decoding guard looked only for `//` once decoded, so %09, %0A and %0D (and every other C0/C1 control) went through to Location.
  it.each([
    '/%09/example.com',
    '/dashboard/%0d%0aSet-Cookie:%20x=1',
    '/x%0A',
    '/x%0d',
    '/x%09y',
    '/%00',
    '/%1b[31m',
    '/%7F',
    '/%C2%85',
    '/%c2%9f',
    '/x%250A',
    '/x?next=%0a',
    '/x#%0d',
  ])('refuses the encoded control character in %j', (raw) => {
    expect(safeNext(raw)).toBe(DEFAULT_NEXT);
  });
  it.each(['/search?q=100%25', '/url%20with%20spaces/', '/caf%C3%A9/', '/x?a=%2525'])('keeps %j, which decodes to no control character', (raw) => {
    expect(safeNext(raw)).toBe(raw);
  });
  it('never returns anything another host could be read from', () => {
    for (const raw of REFUSED_NEXT) expect(safeNext(raw)).not.toMatch(/^[/\\]{2}|example/);
  });
});

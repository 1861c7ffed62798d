import { afterEach, describe, expect, it } from 'vitest';
import { dialects, makeTestApp, signup, STRONG_PASSWORD, type TestApp } from '../helpers/app.ts';
import { formClient } from '../helpers/form-client.ts';

/** The forms and their relatives: one slash as written, another host once dot segments collapse. */
const HOSTILE_NEXT = ['/.//evil.example', '/%2e//evil.example', '/x/../..//evil.example', '/%2E%2E//evil.example', '/./\\evil.example', '/%2F/evil.example'];

describe.each(dialects())('sign-in redirects stay on this site (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('regression: next=/.//evil.example (and dot-segment kin) redirected to //evil.example after sign-in (303) and for a signed-in user (302)', async () => {
    t = await makeTestApp(dialect);
    await signup(t.app, 'admin');
    for (const next of HOSTILE_NEXT) {
      const browser = formClient(t.app);
      await browser.get(`/accounts/login/?next=${encodeURIComponent(next)}`);
      const signIn = await browser.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD, next });
      expect(signIn.statusCode, next).toBe(303);
      expect(signIn.headers.location, next).toBe('/dashboard/');
      const already = await browser.get(`/accounts/login/?next=${encodeURIComponent(next)}`);
      expect(already.statusCode, next).toBe(302);
      expect(already.headers.location, next).toBe('/dashboard/');
    }
  });

  it('a same-site next is kept, in its resolved form', async () => {
    t = await makeTestApp(dialect);
    await signup(t.app, 'admin');
    const browser = formClient(t.app);
    await browser.get('/accounts/login/');
    const signIn = await browser.post('/accounts/login/', { username: 'admin', password: STRONG_PASSWORD, next: '/x/../dashboard/?tab=keys' });
    expect(signIn.headers.location).toBe('/dashboard/?tab=keys');
  });
});

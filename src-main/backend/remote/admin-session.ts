import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { findForm, formBody, readForm } from './admin-forms.ts';
import type { AdminHttp, AdminPage } from './admin-http.ts';
import { attr, find } from './html.ts';
import { failureForPage, remoteErrors, SessionExpired } from './remote-errors.ts';
import { requestToken } from './token-api.ts';

export interface AdminSessionOptions {
  http: AdminHttp;
  /** The admin site's path under the base address, with a final slash (`admin/`). */
  adminPath: string;
  username: string;
  /** Read each time a session must be opened (the keychain); null: nobody can sign in again without the admin. */
  password: () => Promise<string | null>;
}

export type AdminSession = ReturnType<typeof createAdminSession>;

/**
 * One signed-in session on a Django admin site, opened on first use and
 * opened again, silently, when the site sends an operation to its login page
 * (the session expired or was ended on the server): the operation then runs
 * once more. Parallel operations that all meet the expiry share one sign-in.
 */
export function createAdminSession(o: AdminSessionOptions) {
  const { http } = o;
  const admin = http.url(o.adminPath);
  const login = new URL('login/', admin);
  let current: { generation: number; ready: Promise<void> } | null = null;
  let generation = 0;

  async function signIn(): Promise<void> {
    const password = await o.password();
    if (password === null) throw remoteErrors.sessionEnded();
    http.jar.clear();
    const start = new URL(login);
    start.searchParams.set('next', admin.pathname);
    const page = await http.get(start, { follow: false });
    if (page.status === 404) throw remoteErrors.wrongAdminPath(http.host, admin.pathname);
    const form = page.status === 200 ? findForm(page.html, page.url.toString(), ['username', 'password']) : null;
    if (!form) throw page.status >= 500 ? failureForPage(page, http.host, 'show its sign-in page') : remoteErrors.notGraphistry(http.host, `no admin sign-in form at ${admin.pathname}`);
    const answer = await http.post(new URL(form.action), formBody(form, { username: o.username, password }), { referer: page.url });
    if (answer.status >= 300 && answer.status < 400 && answer.location && answer.location.pathname !== login.pathname) return;
    if (answer.status === 200) {
      // Django says the same sentence for a wrong password and for an account that is not staff: ask the token API which.
      const token = await requestToken(http, o.username, password).catch(() => ({ kind: 'absent' as const }));
      if (token.kind === 'token') throw remoteErrors.notStaff(o.username);
      throw token.kind === 'refused' ? remoteErrors.wrongPassword() : remoteErrors.wrongPasswordOrNotStaff();
    }
    throw failureForPage(answer, http.host, 'sign in');
  }

  function ensure(): { generation: number; ready: Promise<void> } {
    if (!current) {
      const started = { generation: ++generation, ready: signIn() };
      started.ready.catch(() => {
        if (current === started) current = null;
      });
      current = started;
    }
    return current;
  }

  /** A page redirected to the login form means the session is gone. */
  const expired = (page: AdminPage) =>
    page.url.pathname === login.pathname || (page.status >= 300 && page.status < 400 && page.location?.pathname === login.pathname);

  return {
    admin,
    http,
    username: o.username,
    password: o.password,

    /** Run an operation in the session; if the session has ended meanwhile, sign in again and run it once more. */
    async run<T>(op: () => Promise<T>): Promise<T> {
      const first = ensure();
      await first.ready;
      try {
        return await op();
      } catch (e) {
        if (!(e instanceof SessionExpired)) throw e;
        if (current?.generation === first.generation) current = null;
        await ensure().ready;
        try {
          return await op();
        } catch (again) {
          if (again instanceof SessionExpired) throw remoteErrors.notStaff(o.username);
          throw again;
        }
      }
    },

    /** GET a page of the admin site (redirects followed), or SessionExpired. */
    async page(url: URL, referer?: URL): Promise<AdminPage> {
      const page = await http.get(url, { follow: true, ...(referer ? { referer } : {}) });
      if (expired(page)) throw new SessionExpired();
      return page;
    },

    /** POST a form; a bounce to the login page, or a CSRF refusal, means the session (and its token) is gone. */
    async post(url: URL, body: URLSearchParams, referer: URL): Promise<AdminPage> {
      const page = await http.post(url, body, { referer });
      if (expired(page) || (page.status === 403 && /csrf/i.test(page.body))) throw new SessionExpired();
      return page;
    },

    /** Best effort: end the session on the server (Django 4.1+ takes a POST from its logout form; older ones a GET). */
    async signOut(): Promise<void> {
      if (!current) return;
      current = null;
      try {
        const index = await http.get(admin, { follow: false });
        const root = index.status === 200 ? index.html : null;
        const form = root && find(root, (e) => e.tagName === 'form' && /logout\/?$/.test(attr(e, 'action') ?? ''));
        if (form) {
          const f = readForm(form, index.url.toString());
          await http.post(new URL(f.action), formBody(f, {}), { referer: admin });
        } else await http.get(new URL('logout/', admin), { follow: false, referer: admin });
      } catch (e) {
        if (!(e instanceof ConsoleFailure)) throw e;
      } finally {
        http.jar.clear();
      }
    },
  };
}

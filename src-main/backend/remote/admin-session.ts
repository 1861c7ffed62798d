import { ConsoleFailure } from '../../../src-shared/console-errors.ts';
import { findForm, formBody, formErrors, readForm } from './admin-forms.ts';
import type { AdminHttp, AdminPage } from './admin-http.ts';
import { attr, find, text } from './html.ts';
import { failureForPage, remoteErrors, SessionExpired } from './remote-errors.ts';

export interface AdminSessionOptions {
  http: AdminHttp;
  /** The admin site's path under the base address, with a final slash (`admin/`). */
  adminPath: string;
  username: string;
  /** Read each time a session must be opened (the keychain); null: nobody can sign in again without the admin. */
  password: () => Promise<string | null>;
  /** A one-time code typed with the password, for a site that asks for one (django-otp): used once, for the first sign-in. */
  otp?: string;
}

export type AdminSession = ReturnType<typeof createAdminSession>;

/** django-otp's login form: the code's field, and the device choice it adds once the password is right. */
const OTP_TOKEN = 'otp_token';
const OTP_PASSWORD_ACCEPTED = ['otp_device', 'otp_challenge'];

/** What a page says, quoted in a sign-in failure: its text, or its form's errors. */
function said(page: AdminPage): string {
  const root = /html/i.test(page.contentType) || /^\s*</.test(page.body) ? page.html : null;
  if (root) {
    const errors = formErrors(root);
    const own = [...errors.general.filter((g) => !/^please correct the errors? below\.?$/i.test(g)), ...errors.fields.map((f) => f.message)];
    if (own.length) return own.join(' ');
  }
  const body = root ? find(root, (e) => e.tagName === 'body') : null;
  const t = body ? text(body) : page.body.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t || `HTTP ${page.status}`;
}

/**
 * One signed-in session on a Django admin site, opened on first use and
 * opened again, silently, when the site sends an operation to its login page
 * (the session expired or was ended on the server): the operation then runs
 * once more. Parallel operations that all meet the expiry share one sign-in.
 *
 * A sign-in posts the admin's login form once and reads the outcome from
 * what the site answers, quoting it: signed in (a redirect into the admin),
 * a one-time code asked for (django-otp shows its device choice once the
 * password is right), refused (Django says the same sentence for a wrong
 * password and for an account that is not staff), or locked (django-axes
 * answers 403 with a page of its own). Nothing else is asked with the
 * password: a site that counts failed sign-ins counts each one once.
 */
export function createAdminSession(o: AdminSessionOptions) {
  const { http } = o;
  const admin = http.url(o.adminPath);
  const login = new URL('login/', admin);
  let current: { generation: number; ready: Promise<void> } | null = null;
  let generation = 0;
  let otp = o.otp;
  /** A session was open before: a code asked for now is asked for again. */
  let opened = false;

  async function signIn(again: boolean): Promise<void> {
    const password = await o.password();
    if (password === null) throw remoteErrors.sessionEnded();
    http.jar.clear();
    const start = new URL(login);
    start.searchParams.set('next', admin.pathname);
    const page = await http.get(start, { follow: false });
    if (page.status === 404) throw remoteErrors.wrongAdminPath(http.host, admin.pathname);
    const form = page.status === 200 ? findForm(page.html, page.url.toString(), ['username', 'password']) : null;
    if (!form)
      throw page.status >= 500
        ? failureForPage(page, http.host, 'show its sign-in page')
        : remoteErrors.notGraphistry(http.host, `no admin sign-in form at ${admin.pathname}`);
    const values: Record<string, string> = { username: o.username, password };
    // A code is good once (django-otp refuses a TOTP code used before): the next sign-in needs a new one.
    const code = otp;
    otp = undefined;
    if (code && form.names.has(OTP_TOKEN)) values[OTP_TOKEN] = code;
    const answer = await http.post(new URL(form.action), formBody(form, values), { referer: page.url });
    if (answer.status >= 300 && answer.status < 400 && answer.location) {
      if (answer.location.pathname !== login.pathname && answer.location.pathname.startsWith(admin.pathname)) {
        opened = true;
        return;
      }
      // Sent out of the admin instead (django-axes' AXES_LOCKOUT_URL, a site's own refusal page): what it says is why.
      throw refusal(await http.get(answer.location, { follow: true, referer: page.url }));
    }
    if (answer.status === 200) {
      const next = findForm(answer.html, answer.url.toString(), ['username', 'password']);
      if (next?.names.has(OTP_TOKEN) && OTP_PASSWORD_ACCEPTED.some((n) => next.names.has(n) || next.submits.has(n))) {
        throw values[OTP_TOKEN] ? remoteErrors.otpRefused(said(answer)) : remoteErrors.otpRequired(said(answer), again);
      }
      throw remoteErrors.signInRefused(said(answer));
    }
    if (answer.status === 403 && /csrf/i.test(answer.body)) throw remoteErrors.csrfRefused(http.host);
    throw answer.status === 403 || answer.status === 429 ? refusal(answer) : failureForPage(answer, http.host, 'sign in');
  }

  function refusal(page: AdminPage) {
    const text = said(page);
    return remoteErrors.accountLocked(http.host, text, /\block(ed|out)\b|too many/i.test(text));
  }

  function ensure(): { generation: number; ready: Promise<void> } {
    if (!current) {
      const started = { generation: ++generation, ready: signIn(opened) };
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

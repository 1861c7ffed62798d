// The remote backend's readers on markup written the way Django's admin
// templates write it, some in versions the reference peer does not run (it
// runs 3.2, 4.2 and 5.2): a 0-based paginator (Django 3.1 and older),
// `id_<name>_error` error lists (Django 5), the password form's plain rows,
// and the browser form-submission rules the write path relies on.
import { describe, expect, it } from 'vitest';
import { findForm, formBody, formErrors } from './admin-forms.ts';
import { readChangeList } from './change-list.ts';
import { createCookieJar } from './cookie-jar.ts';
import { parseHtml } from './html.ts';
import { failureForPage } from './remote-errors.ts';

const page = (body: string, url = 'https://hub.example/admin/users/user/') => ({
  status: 200,
  url: new URL(url),
  location: null,
  contentType: 'text/html',
  body,
  html: parseHtml(body),
});

const changeList = (paginator: string) => `<!doctype html><body data-admin-utc-offset="3600">
<div id="toolbar"><input type="text" name="q" id="searchbar"></div>
<table id="result_list"><thead><tr>
<th scope="col" class="action-checkbox-column"><input type="checkbox" id="action-toggle"></th>
<th scope="col" class="sortable column-username sorted ascending"><div class="text"><a href="?o=-1">Username</a></div></th>
<th scope="col" class="sortable column-email"><div class="text"><a href="?o=2.1">Email address</a></div></th>
<th scope="col" class="column-get_full_name"><div class="text"><span>Full name</span></div></th>
</tr></thead><tbody>
<tr><td class="action-checkbox"><input type="checkbox" name="_selected_action" value="7" class="action-select" aria-label="Select this object for an action - ann"></td>
<th class="field-username"><a href="/admin/users/user/7/change/">ann</a></th><td class="field-email">ann@example.org</td><td class="field-get_full_name">Ann</td></tr>
<tr><th class="field-username"><a href="/admin/users/user/9/change/?_changelist_filters=o%3D1">bob</a></th><td class="field-email">&nbsp;</td></tr>
</tbody></table>${paginator}</body>`;

describe('remote backend readers', () => {
  it('reads a change list: rows by pk (checkbox or change link), sortable columns with their o index, count and paginator base', () => {
    const v5 = readChangeList(
      page(
        changeList(
          '<p class="paginator"><span class="this-page">1</span> <a href="?p=2">2</a> … <a href="?p=101" class="end">101</a> 10,012 users&nbsp;&nbsp;<a href="?all=" class="showall">Show all</a></p>',
        ),
      ),
      'hub',
    );
    expect(v5.rows.map((r) => r.id)).toEqual([7, 9]);
    expect(v5.columns).toEqual([
      { field: 'username', orderIndex: 1 },
      { field: 'email', orderIndex: 2 },
      { field: 'get_full_name', orderIndex: null },
    ]);
    expect(v5).toMatchObject({ count: 10_012, searchable: true, pageBase: 1, utcOffset: 3600 });
    // Django before 3.2 numbered its pages from 0: the link shown as "2" is ?p=1.
    expect(readChangeList(page(changeList('<p class="paginator"><span class="this-page">1</span> <a href="?p=1">2</a> 150 users</p>')), 'hub').pageBase).toBe(
      0,
    );
    expect(readChangeList(page(changeList('<p class="paginator">2 users</p>')), 'hub')).toMatchObject({ count: 2, pageBase: null });
  });

  it('maps errors to fields by id_<name>_error (Django 5), by field-<name> rows (fieldsets) and by the sole control of a plain row', () => {
    const root = parseHtml(`<form method="post"><p class="errornote">Please correct the errors below.</p>
      <ul class="errorlist nonfield"><li>The settings have been modified by someone else.</li></ul>
      <div class="form-row errors field-username"><ul class="errorlist" id="id_username_error"><li>A user with that username already exists.</li></ul><input name="username"></div>
      <div class="form-row field-email"><div><ul class="errorlist"><li>Enter a valid email address.</li></ul><input name="email"></div></div>
      <div class="form-row"><ul class="errorlist"><li>This password is too short.</li></ul><label>Password</label><input type="password" name="password2"></div></form>`);
    expect(formErrors(root)).toEqual({
      fields: [
        { field: 'username', message: 'A user with that username already exists.' },
        { field: 'email', message: 'Enter a valid email address.' },
        { field: 'password2', message: 'This password is too short.' },
      ],
      general: ['Please correct the errors below.', 'The settings have been modified by someone else.'],
    });
  });

  it('submits a form as a browser does: unchecked boxes and disabled fields left out, every selected option, the button pressed', () => {
    const root = parseHtml(`<form method="post" action="?_changelist_filters=q%3Da">
      <input type="hidden" name="csrfmiddlewaretoken" value="t0k"><input name="username" value="ann"><input name="name" value="Ann Extra">
      <input type="checkbox" name="is_active" checked><input type="checkbox" name="is_staff"><input name="password" value="x" disabled>
      <select name="groups" multiple><option value="1" selected>a</option><option value="2">b</option><option value="3" selected>c</option></select>
      <select name="tz"><option value="UTC">UTC</option><option value="CET">CET</option></select>
      <textarea name="notes">
line one
line two</textarea>
      <input type="submit" name="_save" value="Save"><input type="submit" name="_continue" value="Save and continue editing"></form>`);
    const form = findForm(root, 'https://hub.example/admin/users/user/7/change/', ['username', 'is_staff'])!;
    expect(form.action).toBe('https://hub.example/admin/users/user/7/change/?_changelist_filters=q%3Da');
    expect(formBody(form, { is_staff: true, is_active: false, username: 'ann2' }, '_continue').toString()).toBe(
      'csrfmiddlewaretoken=t0k&username=ann2&name=Ann+Extra&groups=1&groups=3&tz=UTC&notes=line+one%0Aline+two&is_staff=on&_continue=Save+and+continue+editing',
    );
  });

  it("says what Django's messages framework said when a page is not what an operation expects", () => {
    const refused = failureForPage(
      page('<ul class="messagelist"><li class="success">Saved.</li><li class="warning">User with ID “42” doesn’t exist. Perhaps it was deleted?</li></ul>'),
      'hub',
      'delete user 42',
    );
    expect(refused.error).toEqual({
      code: 'CONFLICT',
      serverCode: 'REFUSED',
      message: 'The admin site at hub did not delete user 42: User with ID “42” doesn’t exist. Perhaps it was deleted?',
    });
    expect(failureForPage({ ...page('<h1>Forbidden (403)</h1><p>CSRF verification failed.</p>'), status: 403 }, 'hub', 'sign in').error.serverCode).toBe(
      'CSRF_REFUSED',
    );
  });

  it('keeps cookies as Django sets them: path, Secure only over https, Max-Age 0 deletes', () => {
    const jar = createCookieJar();
    const site = new URL('https://hub.example/admin/login/');
    jar.store(
      ['csrftoken=abc; expires=Tue, 30 Nov 2027 00:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax; Secure', 'sessionid=s1; HttpOnly; Path=/admin/'],
      site,
      0,
    );
    expect(jar.header(new URL('https://hub.example/admin/users/'), 1)).toBe('csrftoken=abc; sessionid=s1');
    expect(jar.header(new URL('https://hub.example/api-token-auth/'), 1)).toBe('csrftoken=abc');
    expect(jar.header(new URL('http://hub.example/admin/'), 1)).toBe('sessionid=s1');
    jar.store(['sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/admin/'], site, 2);
    expect(jar.get('sessionid')).toBeNull();
  });
});

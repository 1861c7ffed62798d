// What a form post would write as a guess, and what a change form holds, on
// markup written as Django's admin templates write it.
import { describe, expect, it } from 'vitest';
import { findForm, guessedFields } from './admin-forms.ts';
import { ENGLISH_DEFAULT_FORMATS } from './admin-formats.ts';
import { parseHtml } from './html.ts';
import { readChangeForm } from './user-form.ts';
import { usernameFieldOf } from './user-model.ts';

const URL_ = 'https://hub.example/admin/users/user/7/change/';

describe('fields a post would guess', () => {
  it('names a select with no option selected, radio buttons with none checked and a password input, unless the write sets them', () => {
    const form = findForm(
      parseHtml(`<form method="post"><input name="username" value="ann">
        <select name="plan"><option value="free">Free</option><option value="team">Team</option></select>
        <select name="tz"><option value="UTC" selected>UTC</option></select>
        <select name="groups" multiple><option value="1">a</option></select>
        <input type="radio" name="tier" value="a"><input type="radio" name="tier" value="b">
        <input type="radio" name="usable_password" value="true" checked><input type="radio" name="usable_password" value="false">
        <input type="password" name="secret"></form>`),
      URL_,
      ['username'],
    )!;
    expect(guessedFields(form, {}).map((g) => g.field)).toEqual(['plan', 'secret', 'tier']);
    expect(guessedFields(form, { secret: 'x', plan: 'team' }).map((g) => g.field)).toEqual(['tier']);
    expect(form.grouped).toEqual(new Set(['groups', 'tier', 'usable_password']));
  });

  it("takes the username field from the add form: `username`, else the field beside the passwords (USERNAME_FIELD = 'email')", () => {
    const add = (fields: string) =>
      findForm(
        parseHtml(
          `<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">${fields}<input type="password" name="password1"><input type="password" name="password2"></form>`,
        ),
        URL_,
        ['password1'],
      )!;
    expect(usernameFieldOf(add('<input name="username"><input name="email">'))).toBe('username');
    expect(usernameFieldOf(add('<input name="email">'))).toBe('email');
  });

  it('reads a flag Django shows read-only from its icon, and says which fields are read-only or absent', () => {
    const body = `<body data-admin-utc-offset="0"><form method="post"><input name="username" value="ann"><input name="email" value="">
        <input type="checkbox" name="is_active" checked><input type="checkbox" name="is_staff">
        <div class="form-row field-is_superuser"><div><label>Superuser status:</label><div class="readonly"><img src="/static/admin/img/icon-yes.svg" alt="True"></div></div></div>
        <input name="date_joined_0" value="2024-01-05"><input name="date_joined_1" value="10:43:07">
        <input type="submit" name="_save" value="Save"></form></body>`;
    const f = readChangeForm(
      { status: 200, url: new URL(URL_), location: null, contentType: 'text/html', body, html: parseHtml(body) },
      7,
      'hub',
      'username',
      ENGLISH_DEFAULT_FORMATS,
    );
    expect(f.shown).toEqual({ username: 'ann', email: null, is_active: true, is_staff: false, is_superuser: true });
    // The server's wall time, placed in time by its zone later (server-time.ts).
    expect(f.dates).toEqual({ date_joined: { wall: Date.UTC(2024, 0, 5, 10, 43, 7), precision: 1000 } });
    expect(f.states).toEqual({
      username: 'editable',
      email: 'editable',
      is_active: 'editable',
      is_staff: 'editable',
      is_superuser: 'read_only',
      date_joined: 'editable',
      last_login: 'absent',
    });
  });
});

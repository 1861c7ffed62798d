import { describe, expect, it } from 'vitest';
import type { SettingView } from '../../../../src-shared/domain.ts';
import { KNOWN_SETTINGS, OPEN_REGISTRATION, SSO_SIGNUP, STAFF_BY_DEFAULT, changeMessage, isOn, lastChanged, undoChange, withValue } from './settings-logic.ts';

const setting = (key: string, value: unknown, over: Partial<SettingView> = {}): SettingView => ({
  key,
  value,
  default: false,
  type: 'boolean',
  description: '',
  updated_at: null,
  updated_by: null,
  ...over,
});

describe('settings logic', () => {
  it('reads only a literal true as on', () => {
    const list = [setting(OPEN_REGISTRATION, true), setting(STAFF_BY_DEFAULT, 'true')];
    expect(isOn(list, OPEN_REGISTRATION)).toBe(true);
    expect(isOn(list, STAFF_BY_DEFAULT)).toBe(false);
    expect(isOn(null, OPEN_REGISTRATION)).toBe(false);
  });

  it('replaces one value and leaves the original list alone (it is the rollback)', () => {
    const list = [setting(OPEN_REGISTRATION, false), setting(STAFF_BY_DEFAULT, false)];
    const next = withValue(list, OPEN_REGISTRATION, true);
    expect(isOn(next, OPEN_REGISTRATION)).toBe(true);
    expect(isOn(next, STAFF_BY_DEFAULT)).toBe(false);
    expect(isOn(list, OPEN_REGISTRATION)).toBe(false);
  });

  it('words the registration toast by direction and everything else as Saved', () => {
    expect(changeMessage(OPEN_REGISTRATION, true)).toBe('Registration is now open');
    expect(changeMessage(OPEN_REGISTRATION, false)).toBe('Registration is now invite-only');
    expect(changeMessage(STAFF_BY_DEFAULT, true)).toBe('Saved');
  });

  it('words the SSO sign-up switch and keeps it in the Registration card, not the generic list', () => {
    expect(KNOWN_SETTINGS).toContain(SSO_SIGNUP);
    expect(changeMessage(SSO_SIGNUP, true)).toBe('SSO users now get an account on first sign-in');
    expect(changeMessage(SSO_SIGNUP, false)).toBe('SSO users now need an account made or invited first');
  });

  it('undoes exactly the one switch that changed, back to its value before', () => {
    expect(undoChange(SSO_SIGNUP, false, true)).toEqual({ [SSO_SIGNUP]: false });
    expect(undoChange(OPEN_REGISTRATION, true, false)).toEqual({ [OPEN_REGISTRATION]: true });
    // Nothing moved (the server kept its value), or not a switch: nothing to put back.
    expect(undoChange(SSO_SIGNUP, true, true)).toBeNull();
    expect(undoChange('PUBLIC_URL', '', 'https://x.example')).toBeNull();
    expect(undoChange(SSO_SIGNUP, undefined, true)).toBeNull();
  });

  it('says who changed a setting and when, or that it is the default', () => {
    expect(lastChanged(setting(OPEN_REGISTRATION, false), (s) => s)).toBe('Never changed: this is the default.');
    // A Graphistry (django-constance) says neither when nor by whom: only that the value is not the default.
    expect(lastChanged({ ...setting(OPEN_REGISTRATION, true), default: false }, (s) => s)).toBe(
      'Changed from the default (off); this server does not record by whom.',
    );
    expect(lastChanged(setting(OPEN_REGISTRATION, true, { updated_at: 'T', updated_by: 'admin' }), (s) => `<${s}>`)).toBe('Last changed by admin at <T>.');
  });
});

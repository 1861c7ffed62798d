import { useState } from 'react';
import type { Profile } from '../../../../src-shared/console-api.ts';
import type { ConsoleError } from '../../../../src-shared/console-errors.ts';
import { call } from '../../lib/api.ts';
import { useApp } from '../../stores/app-store.ts';
import { explainSignInError, hostOf, splitError } from '../wizard/wizard-text.ts';

export const SIGN_IN_LABELS = { username: 'Username', password: 'Password', otp: 'One-time code' } as const;

/** A Graphistry's admin site asked for a one-time code after the password (django-otp), or refused the one typed. */
export function asksForCode(error: ConsoleError | null | undefined): boolean {
  return error?.serverCode === 'OTP_REQUIRED' || error?.serverCode === 'OTP_INVALID';
}

/** Where a profile's server answers, for messages ("Cannot reach 127.0.0.1:8000"). */
export function profileHost(profile: Profile, bundledUrl: string | null): string {
  return profile.kind === 'remote' ? hostOf(profile.url ?? profile.name) : bundledUrl ? hostOf(bundledUrl) : 'the bundled server';
}

/**
 * A password sign-in to one connection, wherever it is asked for (the
 * welcome-back card, a row of Connections, the header's switcher): the
 * username the profile remembers is filled in, and failures come back as
 * sentences an admin can act on, each at its field where it has one.
 */
export function useSignIn(profile: Profile, onDone: () => void | Promise<void>, earlier: ConsoleError | null = null) {
  const [username, setUsername] = useState(profile.username ?? '');
  const [password, setPassword] = useState('');
  // The code lives in this form only: used for one sign-in, never kept.
  const [otp, setOtp] = useState('');
  const [needsOtp, setNeedsOtp] = useState(asksForCode(earlier));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  const { fields, banner } = splitError(error, SIGN_IN_LABELS);

  async function submit() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const code = otp.trim();
    const r = await call('signIn', { profileId: profile.id, username: username.trim(), password, ...(needsOtp && code ? { otp: code } : {}) });
    if (!r.ok) {
      setBusy(false);
      if (asksForCode(r.error)) {
        setNeedsOtp(true);
        setOtp('');
      }
      setError(explainSignInError(r.error, profileHost(profile, useApp.getState().server?.url ?? null)));
      return;
    }
    await useApp.getState().refresh();
    setBusy(false);
    await onDone();
  }

  return { username, setUsername, password, setPassword, otp, setOtp, needsOtp, busy, error, fields, banner, submit };
}

import { AppError } from '../errors.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';

export const PASSWORD_MAX_LENGTH = 1024;

export interface PasswordRuleFailure {
  rule: 'min_length' | 'max_length' | 'numeric' | 'similar_to_username' | 'common';
  message: string;
}

/** The rules a new password must pass, shown to users before they type. */
export function describePasswordRules(minLength: number): string[] {
  return [
    `At least ${minLength} characters (at most ${PASSWORD_MAX_LENGTH}).`,
    'Not entirely numeric.',
    'Not the same as the username.',
    'Not a commonly used password.',
  ];
}

/** Django-style validation; returns the first rule that fails, by name. */
export function checkPassword(password: string, username: string | null, minLength: number): PasswordRuleFailure | null {
  const length = [...password].length;
  if (length < minLength) {
    return { rule: 'min_length', message: `This password is too short. It must contain at least ${minLength} characters.` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { rule: 'max_length', message: `This password is too long. It must contain at most ${PASSWORD_MAX_LENGTH} characters.` };
  }
  if (/^\d+$/.test(password)) {
    return { rule: 'numeric', message: 'This password is entirely numeric.' };
  }
  if (username && password.toLowerCase() === username.toLowerCase()) {
    return { rule: 'similar_to_username', message: 'The password is the same as the username.' };
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    return { rule: 'common', message: 'This password is too common.' };
  }
  return null;
}

export function assertPassword(password: string, username: string | null, minLength: number): void {
  const failure = checkPassword(password, username, minLength);
  if (failure) {
    throw new AppError('WEAK_PASSWORD', failure.message, { fields: [{ field: 'password', message: failure.message, rule: failure.rule }] });
  }
}

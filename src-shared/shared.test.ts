import { describe, expect, it } from 'vitest';
import { formatDate } from './dates.ts';
import { isLoopbackUrl, signupUrl } from './urls.ts';

describe('formatDate', () => {
  it('writes day, month, year and a 24-hour time; UTC says so', () => {
    expect(formatDate('2025-01-02T03:04:59.000Z', { utc: true })).toBe('2 Jan 2025, 03:04 UTC');
    expect(formatDate('2025-12-31T23:59:00.000Z', { utc: true, time: false })).toBe('31 Dec 2025');
  });
  it('keeps the year for dates of this year too (one format everywhere)', () => {
    const now = new Date().toISOString();
    expect(formatDate(now, { utc: true })).toContain(String(new Date().getUTCFullYear()));
  });
  it('shows the empty text for no date or a bad one', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date', { empty: 'never' })).toBe('never');
  });
});

describe('isLoopbackUrl', () => {
  it('knows the loopback names and addresses', () => {
    for (const u of ['http://127.0.0.1:8000', 'http://localhost:3000/x', 'http://127.1.2.3', 'http://[::1]:8000', 'http://app.localhost'])
      expect(isLoopbackUrl(u), u).toBe(true);
    for (const u of ['https://graphistry.example.com', 'http://10.0.0.5:8000', 'http://127.0.0.1.example.com', 'not a url'])
      expect(isLoopbackUrl(u), u).toBe(false);
  });
  it('builds the sign-up link under a base with or without a final slash', () => {
    expect(signupUrl('https://g.example.com/accounts-prefix/')).toBe('https://g.example.com/accounts-prefix/accounts/signup/');
  });
});

describe('relativeTime', () => {
  it('says how long ago in the largest whole unit, in words short enough for a date column', async () => {
    const { relativeTime } = await import('./dates.ts');
    const now = new Date('2026-12-06T12:00:00Z');
    expect(relativeTime('2026-12-03T11:00:00Z', now)).toBe('3 days ago');
    expect(relativeTime('2026-12-05T11:00:00Z', now)).toBe('1 day ago');
    expect(relativeTime('2026-12-06T11:59:30Z', now)).toBe('just now');
    expect(relativeTime('2026-12-06T11:59:00Z', now)).toBe('1 min ago');
    expect(relativeTime('2026-12-06T11:01:00Z', now)).toBe('59 min ago');
    expect(relativeTime('2026-12-06T11:00:00Z', now)).toBe('1 hr ago');
    expect(relativeTime('2026-11-07T11:00:00Z', now)).toBe('29 days ago');
    expect(relativeTime('2026-01-10T00:00:00Z', now)).toBe('11 mo ago');
    expect(relativeTime('2025-11-01T00:00:00Z', now)).toBe('1 yr ago');
    expect(relativeTime('2026-12-07T12:00:00Z', now)).toBe('just now');
    expect(relativeTime(null, now)).toBe('Never');
  });
});

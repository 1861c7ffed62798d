import { describe, expect, it } from 'vitest';
import { exact, shortDate, shortWhen } from './format.ts';

describe('table dates', () => {
  it('keep the year, this year included (one format with the server pages)', () => {
    const thisYear = new Date().getFullYear();
    expect(shortWhen(new Date().toISOString())).toContain(String(thisYear));
    expect(shortWhen('2024-03-01T12:00:00Z')).toMatch(/^\d{1,2} Mar 2024, \d\d:\d\d$/);
  });
  it('shows the empty word for missing or broken values', () => {
    expect(shortWhen(null, 'never')).toBe('never');
    expect(shortWhen('not a date', 'never')).toBe('never');
    expect(shortDate(undefined, 'never')).toBe('never');
    expect(exact(null)).toBeUndefined();
  });
  it('a bare date keeps the year and has no time', () => {
    expect(shortDate('2027-02-26T10:39:00Z')).toMatch(/^2[56] Feb 2027$/);
  });
});

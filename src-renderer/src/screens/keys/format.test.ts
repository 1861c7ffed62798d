import { describe, expect, it } from 'vitest';
import { exact, shortDate, shortWhen } from './format.ts';

describe('table dates', () => {
  const now = new Date('2025-06-15T12:00:00Z');
  it('leaves out the year for this year and keeps it for any other', () => {
    expect(shortWhen('2025-03-01T12:00:00Z', '—', now)).not.toMatch(/2025/);
    expect(shortWhen('2024-03-01T12:00:00Z', '—', now)).toMatch(/2024/);
  });
  it('shows the empty word for missing or broken values', () => {
    expect(shortWhen(null, 'never', now)).toBe('never');
    expect(shortWhen('not a date', 'never', now)).toBe('never');
    expect(shortDate(undefined, 'never')).toBe('never');
    expect(exact(null)).toBeUndefined();
  });
  it('keeps the year in a bare date', () => {
    expect(shortDate('2027-02-26T10:39:00Z')).toMatch(/2027/);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_NEXT, safeNext } from './safe-next.ts';

describe('safeNext', () => {
  it.each(['//evil.example', '/\\evil.example', 'https://evil.example', 'http:/\\/evil.example', 'javascript:alert(1)', '/\u0000x', 'https:evil.example', '/\t/evil.example', '', 'dashboard', '/accounts/logout/'])(
    'sends %j to the dashboard',
    (raw) => {
      expect(safeNext(raw)).toBe(DEFAULT_NEXT);
    },
  );
  it.each(['/dashboard/', '/dashboard/?tab=keys', '/accounts/invite/abc/'])('keeps the same-site path %j', (raw) => {
    expect(safeNext(raw)).toBe(raw);
  });
});

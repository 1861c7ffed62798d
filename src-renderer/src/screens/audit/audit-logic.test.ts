import { describe, expect, it } from 'vitest';
import { isFailure, targetText } from './audit-logic.ts';

describe('audit logic', () => {
  it('names the target by type and name, falling back to its id', () => {
    expect(targetText({ target: 'alice', target_type: 'user', target_id: '7' })).toBe('user alice');
    expect(targetText({ target: null, target_type: 'key', target_id: 'AbC123' })).toBe('key AbC123');
    expect(targetText({ target: null, target_type: null, target_id: null })).toBe('');
  });

  it('treats anything but success as a failure worth standing out', () => {
    expect(isFailure('success')).toBe(false);
    expect(isFailure('failure')).toBe(true);
  });
});

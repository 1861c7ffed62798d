import { describe, expect, it } from 'vitest';
import { compactDetail, isFailure, targetText } from './audit-logic.ts';

describe('audit logic', () => {
  it('prints detail as one line of JSON, and nothing for an empty one', () => {
    expect(compactDetail({ changes: { IS_SIGNUPS_OPEN_AFTER_FIRST: true } })).toBe('{"changes":{"IS_SIGNUPS_OPEN_AFTER_FIRST":true}}');
    expect(compactDetail({})).toBe('');
    expect(compactDetail(null)).toBe('');
  });

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

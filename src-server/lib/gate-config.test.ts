import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { parseGateSpec } from './gate-config.ts';

describe('gate configuration', () => {
  it('reads name=/prefix/=origin entries from flags, GATES or .env', () => {
    expect(parseGateSpec('notebook=/notebook/=http://127.0.0.1:8888')).toEqual({ name: 'notebook', prefix: '/notebook/', upstream: 'http://127.0.0.1:8888' });
    expect(parseGateSpec('v6=/v6/=http://[::1]:81/')).toEqual({ name: 'v6', prefix: '/v6/', upstream: 'http://[::1]:81' });
    const fromEnv = loadConfig({ dataDir: '/tmp/x' }, { GATES: 'notebook=/notebook/=http://127.0.0.1:8888, investigation=/pivot/=http://127.0.0.1:8081' });
    expect(fromEnv.gates.map((g) => g.prefix)).toEqual(['/notebook/', '/pivot/']);
    expect(loadConfig({ dataDir: '/tmp/x', gates: ['a=/a/b/=https://tool.internal'] }, {}).gates).toEqual([
      { name: 'a', prefix: '/a/b/', upstream: 'https://tool.internal' },
    ]);
    expect(loadConfig({ dataDir: '/tmp/x' }, {}).gates).toEqual([]);
  });

  it('says what is wrong with each bad entry, all at once', () => {
    const bad = [
      'notebook',
      'x=notebook=http://h',
      'x=/api/v2/nb/=http://h',
      'x=/accounts/=http://h',
      'x=/a/../b/=http://h',
      'x=/n/=ftp://h',
      'x=/n/=http://h/sub/',
      'x=/n/=http://u:p@h',
      'x=/n/=nope',
    ];
    for (const entry of bad) expect(typeof parseGateSpec(entry), entry).toBe('string');
    try {
      loadConfig({ dataDir: '/tmp/x', gates: ['a=/a/=http://h:1', 'a=/a/b/=http://h:2', 'bad'] }, {});
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toContain('GATES: two gates are named a');
      expect(problems).toContain('overlap');
      expect(problems).toContain('"bad" is not name=/prefix/=http://host:port');
    }
  });
});

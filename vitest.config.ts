import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest runs files it has no timings for (a clean clone, as in CI) largest
 * first. The per-Django-version files are a few lines that run a long suite
 * (test/helpers/*-suite.ts), so by size they ran last, one after another: a
 * three-minute tail on two workers. They go first instead.
 */
class LongSuitesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => /graphistry-(user-models|site-variations)-\d+\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src-*/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here and in CI: more workers only adds contention for argon2id and PostgreSQL.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    sequence: { sequencer: LongSuitesFirst },
    // expect.poll waits 1 s by default: on a loaded CI machine a browser step (a list reload, a screen change) can take longer.
    expect: { poll: { timeout: 10_000 } },
    // Every process a test starts through bin/graphistry-admin.js runs
    // out/server, which the global setup has just built from the sources
    // (bin/ falls back to the sources if one is edited during the run).
    env: { GRAPHISTRY_ADMIN_FROM_SOURCE: '' },
  },
});

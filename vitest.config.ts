import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files that time the server under load and compare the latencies of one
 * stretch with another's: they run one at a time, after every other file has
 * finished, so the machine's other load is the test's own and not a browser
 * suite beside it.
 */
const ALONE = ['test/integration/backup-scale.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here and in CI: more workers only adds contention for argon2id and PostgreSQL.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    // expect.poll waits 1 s by default: on a loaded CI machine a browser step (a list reload, a screen change) can take longer.
    expect: { poll: { timeout: 10_000 } },
    // Every process a test starts through bin/graphistry-admin.js runs
    // out/server, which the global setup has just built from the sources
    // (bin/ falls back to the sources if one is edited during the run).
    env: { GRAPHISTRY_ADMIN_FROM_SOURCE: '' },
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts', 'src-*/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});

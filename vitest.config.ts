import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src-*/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here and in CI: more workers only adds contention for argon2id and PostgreSQL.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});

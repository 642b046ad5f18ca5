import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The compose-network suite runs only over the compose network (CI's compose step sets the driver).
    exclude: [
      'test/bench/**',
      'node_modules/**',
      ...(process.env.L402_REGTEST_DRIVER === 'compose' ? [] : ['test/regtest/compose-network.test.ts']),
    ],
    // One temporary directory for the run, TMPDIR for every worker and child, removed at its end.
    globalSetup: ['test/tmp-root.ts'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});

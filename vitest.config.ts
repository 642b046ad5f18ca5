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
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests that measure time (a proxy's added latency to ±2 ms) run alone,
    // after the rest (npm test runs them with PRODENG_TIMING_TESTS=1): beside
    // other files on 2 cores they would measure the neighbours.
    exclude: process.env.PRODENG_TIMING_TESTS ? ['node_modules/**'] : ['node_modules/**', 'test/timing/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two at a time on a 2-core machine (vitest's default is one fewer than
    // the cores): most files wait on real peers, real processes and real
    // minutes, not on the CPU, and CI has 20 minutes.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});

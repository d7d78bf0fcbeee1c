import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'tools/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Emulator-backed files each start their own emulator; two at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'tools/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    testTimeout: 120_000,
    // A test that fails is run once more: emulators on a loaded 2-core machine stall now and then. One that passes
    // only on its second try is named in `npm test`'s summary (scripts/test-all.mjs), so flakiness stays visible.
    retry: 1,
    hookTimeout: 600_000,
    // Emulator-backed files each start their own emulator; two at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});

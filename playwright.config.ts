import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * E2E runs against the real served host (`node dist/host/cli.js`) and real emulators (see e2e/fixtures.ts).
 * Chromium: SKYFERRY_CHROMIUM, else Debian's /usr/bin/chromium, else Playwright's own browser (a user's machine
 * after `npx playwright install chromium`).
 */
const chromium = process.env.SKYFERRY_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'e2e-artifacts/test-results',
  globalSetup: './e2e/global-setup.ts',
  // Emulators, a host and a browser on a 2-core machine: one worker, so the emulators start (and seed) once.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // The JSON report is what scripts/test-all.mjs counts for its closing line.
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }], ...(process.env.CI ? [['junit', { outputFile: 'e2e-artifacts/junit.xml' }] as const] : [])],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    launchOptions: {
      ...(chromium ? { executablePath: chromium } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});

import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/** The machines' own Chromium (no browser downloads here); elsewhere Playwright's own browser. */
const systemChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  // Two workers at most: the API, the web app and Chromium share a two-core machine.
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  // The read-only specs see exactly the seeded stores; the specs that change data (create, upload, sync,
  // delete) run after them.
  projects: [
    { name: 'read', testMatch: ['auth.spec.ts', 'stores.spec.ts', 'viewer.spec.ts'] },
    {
      name: 'write',
      testMatch: ['local-store.spec.ts', 'sync.spec.ts', 'audit.spec.ts'],
      dependencies: ['read'],
    },
    // Counts the usage points its own syncs add: no other spec may sync at the same time.
    { name: 'insights', testMatch: ['insights.spec.ts'], dependencies: ['write'] },
  ],
  reporter: [['list'], ['json', { outputFile: process.env.E2E_JSON_OUTPUT ?? 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e-output',
  use: {
    ...devices['Desktop Chrome'],
    // globalSetup sets E2E_BASE_URL before the workers start.
    baseURL: process.env.E2E_BASE_URL,
    viewport: { width: 1366, height: 860 },
    locale: 'en-GB',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: existsSync(systemChromium)
      ? {
          executablePath: systemChromium,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        }
      : {},
  },
});
